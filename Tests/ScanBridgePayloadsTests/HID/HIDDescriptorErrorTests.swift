import ScanBridgePayloads
import Testing

@Suite struct HIDDescriptorErrorTests {
    private func error(parsing bytes: [UInt8]) -> HIDDescriptorError? {
        do {
            _ = try HIDReportDescriptor(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func malformedDescriptorsGiveTheirError() {
        let cases: [([UInt8], HIDDescriptorError)] = [
            ([], .empty),
            ([UInt8](repeating: 0, count: 4097), .tooLong(length: 4097, limit: 4096)),
            ([0x05, 0x01, 0x26, 0xFF], .truncatedItem(offset: 2)),
            ([0x05, 0x01, 0x27, 0x00, 0x00, 0x00], .truncatedItem(offset: 2)),
            ([0xFE, 0x05, 0x00, 0x01], .truncatedItem(offset: 0)),
            ([0xFE], .truncatedItem(offset: 0)),
            ([0xF0], .reservedItem(offset: 0, prefix: 0xF0)),
            ([0xC4], .unknownGlobalTag(offset: 0, tag: 12)),
            ([0x07, 0x00, 0x00, 0x01, 0x00], .invalidUsagePage(offset: 0, value: 0x10000)),
            ([0x75, 0x00], .invalidReportSize(offset: 0, value: 0)),
            ([0x76, 0x01, 0x01], .invalidReportSize(offset: 0, value: 257)),
            ([0x85, 0x00], .invalidReportID(offset: 0, value: 0)),
            ([0x86, 0x00, 0x01], .invalidReportID(offset: 0, value: 256)),
            ([0xB4], .popWithoutPush(offset: 0)),
            ([UInt8](repeating: 0xA4, count: 17), .globalStackOverflow(offset: 16, limit: 16)),
            ([0xC0], .endCollectionWithoutCollection(offset: 0)),
            ([0xA1, 0x01, 0xA1, 0x02], .unclosedCollection(depth: 2)),
            (
                Array(repeating: [0xA1, 0x00], count: 33).flatMap { $0 },
                .collectionNestingTooDeep(offset: 64, limit: 32)
            ),
            ([0xA9, 0x01, 0xA9, 0x01], .nestedDelimiter(offset: 2)),
            ([0xA9, 0x00], .delimiterCloseWithoutOpen(offset: 0)),
            ([0xA9, 0x01, 0x09, 0x01], .unclosedDelimiter),
            (
                [0x15, 0x05, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x81, 0x02],
                .invalidLogicalRange(offset: 8, minimum: 5, maximum: 1)
            ),
            (
                [0x1B, 0x00, 0x00, 0x01, 0x00, 0x2B, 0x05, 0x00, 0x02, 0x00, 0x81, 0x02],
                .usageRangeSpansPages(offset: 5)
            ),
            (
                [0x75, 0x08, 0x96, 0x00, 0x10, 0x81, 0x02, 0x95, 0x01, 0x81, 0x02],
                .reportTooLarge(offset: 9, report: HIDReportKey(kind: .input, reportID: nil), bits: 32776, limit: 32768)
            ),
            (
                [0x75, 0x20, 0x97, 0xFF, 0xFF, 0xFF, 0xFF, 0x91, 0x02],
                .reportTooLarge(
                    offset: 7, report: HIDReportKey(kind: .output, reportID: nil), bits: 137_438_953_440, limit: 32768)
            ),
            ([0x75, 0x08, 0x95, 0x01, 0x81, 0x02, 0x85, 0x01, 0x81, 0x02], .mixedReportIDs(offset: 8)),
        ]
        for (bytes, expected) in cases {
            #expect(error(parsing: bytes) == expected, "\(bytes.prefix(12))")
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect(HIDDescriptorError.truncatedItem(offset: 7).description == "truncated item at offset 7")
        #expect(HIDDescriptorError.popWithoutPush(offset: 3).description == "Pop without Push at offset 3")
        #expect(HIDDescriptorError.invalidReportID(offset: 0, value: 0).description.contains("report id 0"))
        #expect(
            HIDDescriptorError.unclosedCollection(depth: 1).description == "the descriptor ends with 1 collection open")
        #expect(
            HIDDescriptorError.reportTooLarge(
                offset: 4, report: HIDReportKey(kind: .feature, reportID: 3), bits: 9, limit: 8
            ).description == "feature report 3 grows to 9 bits at offset 4, more than 8")
    }

    /// A descriptor cut anywhere after its first Collection fails: inside an item with that
    /// item's offset, between items with the collections still open.
    @Test func truncationsOfRealDescriptorsFailCleanly() {
        for descriptor in [Fixtures.honeywellHIDPOS, Fixtures.jieliHIDPOS, Fixtures.bootKeyboard] {
            for length in 6..<descriptor.count {
                switch error(parsing: Array(descriptor.prefix(length))) {
                case .truncatedItem(let offset): #expect(offset < length && offset >= length - 4)
                case .unclosedCollection(let depth): #expect(depth >= 1)
                case let other: Issue.record("prefix \(length): \(String(describing: other))")
                }
            }
        }
        #expect(error(parsing: Array(Fixtures.honeywellHIDPOS.prefix(16))) == .truncatedItem(offset: 14))
    }

    /// Random bytes never crash the parser; when they parse, the result is self-consistent.
    @Test func randomDescriptorsParseOrFailWithoutCrashing() {
        var generator = SeededGenerator(seed: 0x5CA9_B41D)
        var parsed = 0
        for round in 0..<4000 {
            let length = Int.random(in: 1...96, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0 {  // bias half the inputs towards real item prefixes
                let seeds = Fixtures.honeywellHIDPOS
                for index in bytes.indices where Bool.random(using: &generator) {
                    bytes[index] = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
                }
            }
            guard let descriptor = try? HIDReportDescriptor(parsing: bytes) else { continue }
            parsed += 1
            for field in descriptor.fields {
                let bits = descriptor.reportBitLengths[HIDReportKey(kind: field.kind, reportID: field.reportID)]
                #expect(bits != nil && field.bitOffset + field.bitLength <= bits!)
                #expect(field.collectionPath.count <= HIDReportDescriptor.maximumCollectionDepth)
            }
        }
        #expect(parsed > 100)
    }
}
