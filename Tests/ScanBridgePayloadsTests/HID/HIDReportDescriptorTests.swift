import ScanBridgePayloads
import Testing

@Suite struct HIDReportDescriptorTests {
    @Test func honeywellDescriptorHasTheDocumentedReports() throws {
        #expect(Fixtures.honeywellHIDPOS.count == 144)  // wDescriptorLength 0x90 in the same source
        let descriptor = try HIDReportDescriptor(parsing: Fixtures.honeywellHIDPOS)
        #expect(descriptor.usesReportIDs)
        #expect(
            descriptor.reports == [
                HIDReportKey(kind: .input, reportID: 2), HIDReportKey(kind: .output, reportID: 4),
                HIDReportKey(kind: .output, reportID: 0xFD), HIDReportKey(kind: .feature, reportID: 0xFE),
            ])
        #expect(descriptor.wireLength(of: HIDReportKey(kind: .input, reportID: 2)) == 64)
        #expect(descriptor.byteLength(of: HIDReportKey(kind: .input, reportID: 2)) == 63)
        #expect(descriptor.wireLength(of: HIDReportKey(kind: .output, reportID: 4)) == 2)
        #expect(descriptor.wireLength(of: HIDReportKey(kind: .output, reportID: 0xFD)) == 64)
        #expect(descriptor.wireLength(of: HIDReportKey(kind: .feature, reportID: 0xFE)) == 2)
        #expect(descriptor.inputFraming == .numbered(lengths: [2: 64]))

        let input = descriptor.fields(of: HIDReportKey(kind: .input, reportID: 2))
        #expect(input.map(\.bitOffset) == [0, 8, 32, 480, 496])
        #expect(input.map(\.bitSize) == [8, 8, 8, 8, 1])
        #expect(input.map(\.count) == [1, 3, 56, 2, 8])
        #expect(input[0].usages == [HIDUsageRange(HIDPOSUsage.byteCount)])
        #expect(
            input[1].usages == [
                HIDUsageRange(HIDPOSUsage.symbologyIdentifier1), HIDUsageRange(HIDPOSUsage.symbologyIdentifier2),
                HIDUsageRange(HIDPOSUsage.symbologyIdentifier3),
            ])
        #expect(input[2].usages == [HIDUsageRange(HIDPOSUsage.decodedData)])
        #expect(input[2].flags == [.variable, .bufferedBytes])
        #expect(input[2].logicalMaximum == 255)
        #expect(input[3].usages.map(\.first) == [HIDUsage(page: 0xFF66, id: 4), HIDUsage(page: 0xFF66, id: 0)])
        #expect(input[4].usage(at: 7) == HIDPOSUsage.decodeDataContinued)  // one usage, eight bits
        #expect(input[4].logicalMaximum == 1)
        #expect(
            input[2].collectionPath == [
                HIDCollection(type: .application, usage: HIDPOSUsage.barCodeScanner),
                HIDCollection(type: .logical, usage: HIDPOSUsage.scannedDataReport),
            ])

        let trigger = descriptor.fields(of: HIDReportKey(kind: .output, reportID: 4))
        #expect(trigger.count == 1)
        #expect(trigger[0].flags == [.variable, .relative, .volatile])
        #expect(trigger[0].usage(at: 2) == HIDUsage(page: 0x8C, id: 0x60))  // Initiate Barcode Read
        #expect(trigger[0].collectionPath.last?.usage == HIDPOSUsage.triggerReport)
    }

    @Test func bootKeyboardParsesToItsAppendixLayout() throws {
        let descriptor = try HIDReportDescriptor(parsing: Fixtures.bootKeyboard)
        #expect(!descriptor.usesReportIDs)
        #expect(descriptor.inputFraming == .unnumbered(length: 8))
        #expect(descriptor.byteLength(of: HIDReportKey(kind: .output, reportID: nil)) == 1)
        let input = descriptor.fields(of: HIDReportKey(kind: .input, reportID: nil))
        #expect(input.map(\.bitOffset) == [0, 8, 16])
        #expect(
            input[0].usages == [HIDUsageRange(first: HIDUsage(page: 7, id: 0xE0), last: HIDUsage(page: 7, id: 0xE7))])
        #expect(input[1].isConstant && input[1].usages.isEmpty)
        #expect(!input[2].flags.contains(.variable))
        #expect(input[2].usageCount == 102)
        #expect(input[2].applicationUsage == HIDUsage(page: 1, id: 6))
        #expect(HIDPOSScannerLayout(descriptor: descriptor) == nil)
    }

    @Test func signedLogicalValuesFollowLinux() throws {
        // Logical Minimum (-127), Logical Maximum (0x7F); then Logical Minimum (0), Logical Maximum (0xFF).
        let bytes: [UInt8] = [
            0x05, 0x01, 0x09, 0x30, 0x15, 0x81, 0x25, 0x7F, 0x75, 0x08, 0x95, 0x01, 0x81, 0x06,
            0x09, 0x31, 0x15, 0x00, 0x25, 0xFF, 0x81, 0x02,
            0x09, 0x32, 0x15, 0xFF, 0x25, 0xFF, 0x81, 0x02,  // -1…-1 when the minimum is negative
            0x09, 0x33, 0x17, 0x00, 0x00, 0x00, 0x80, 0x27, 0xFF, 0xFF, 0xFF, 0x7F, 0x81, 0x02,
            0x55, 0x0E, 0x66, 0x11, 0x00, 0x35, 0x00, 0x46, 0xE8, 0x03, 0x09, 0x34, 0x81, 0x02,
        ]
        let fields = try HIDReportDescriptor(parsing: bytes).fields
        #expect(fields.map(\.logicalMinimum) == [-127, 0, -1, Int64(Int32.min), Int64(Int32.min)])
        #expect(fields.map(\.logicalMaximum) == [127, 255, -1, Int64(Int32.max), Int64(Int32.max)])
        #expect(fields[0].flags == [.variable, .relative])
        #expect(fields[4].unitExponent == -2)
        #expect(fields[4].unit == 0x11)
        #expect(fields[4].physicalMaximum == 1000)
    }

    @Test func trailingZeroPaddingIsAccepted() throws {
        let padded = Fixtures.bootKeyboard + [0x00, 0x00, 0x00, 0x00]
        #expect(try HIDReportDescriptor(parsing: padded) == HIDReportDescriptor(parsing: Fixtures.bootKeyboard))
    }

    @Test func longItemsAreSkipped() throws {
        let long: [UInt8] = [0xFE, 0x03, 0x42, 0x81, 0x02, 0xC0]  // data that would parse as items
        let withLong = Array(Fixtures.bootKeyboard.prefix(6)) + long + Fixtures.bootKeyboard.dropFirst(6)
        #expect(try HIDReportDescriptor(parsing: withLong) == HIDReportDescriptor(parsing: Fixtures.bootKeyboard))
        #expect(try HIDReportDescriptor(parsing: [0xFE, 0x00, 0x01]).fields.isEmpty)
    }

    @Test func extendedUsagesCarryTheirOwnPage() throws {
        let bytes: [UInt8] = [
            0x05, 0x01, 0x0B, 0xFE, 0x00, 0x8C, 0x00,  // Usage (0x008C00FE) while the page is 1
            0x09, 0x30, 0x75, 0x08, 0x95, 0x02, 0x81, 0x02,
        ]
        let field = try #require(try HIDReportDescriptor(parsing: bytes).fields.first)
        #expect(field.usages.map(\.first) == [HIDPOSUsage.decodedData, HIDUsage(page: 1, id: 0x30)])
    }

    @Test func aUsagePageAfterItsUsagesAppliesToThem() throws {
        // Usage (0x30) then Usage Page (0x8C): Linux completes the usage with the later page.
        let bytes: [UInt8] = [0x09, 0xFE, 0x05, 0x8C, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02]
        let field = try #require(try HIDReportDescriptor(parsing: bytes).fields.first)
        #expect(field.usages == [HIDUsageRange(HIDPOSUsage.decodedData)])
    }

    @Test func pushAndPopRestoreGlobals() throws {
        let bytes: [UInt8] = [
            0x05, 0x01, 0x75, 0x08, 0x95, 0x01, 0x85, 0x01,
            0xA4,  // Push
            0x75, 0x10, 0x85, 0x02, 0x09, 0x30, 0x81, 0x02,
            0xB4,  // Pop
            0x09, 0x31, 0x81, 0x02,
        ]
        let descriptor = try HIDReportDescriptor(parsing: bytes)
        #expect(descriptor.fields.map(\.bitSize) == [16, 8])
        #expect(descriptor.fields.map(\.reportID) == [2, 1])
        #expect(descriptor.inputFraming == .numbered(lengths: [1: 2, 2: 3]))
    }

    @Test func onlyTheFirstDelimiterSetCounts() throws {
        let bytes: [UInt8] = [
            0x05, 0x01, 0xA9, 0x01, 0x09, 0x30, 0xA9, 0x00,  // first set: X
            0xA9, 0x01, 0x09, 0x31, 0xA9, 0x00,  // alternative: Y, ignored
            0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
        ]
        let field = try #require(try HIDReportDescriptor(parsing: bytes).fields.first)
        #expect(field.usages == [HIDUsageRange(HIDUsage(page: 1, id: 0x30))])
    }

    @Test func wholePageRangesStayOneEntry() throws {
        // 64 fields each declaring Usage Minimum (0)…Maximum (0xFFFF).
        var bytes: [UInt8] = [0x06, 0x00, 0xFF, 0x75, 0x01, 0x95, 0x01]
        for _ in 0..<64 { bytes += [0x19, 0x00, 0x2A, 0xFF, 0xFF, 0x81, 0x00] }
        let descriptor = try HIDReportDescriptor(parsing: bytes)
        #expect(descriptor.fields.count == 64)
        #expect(descriptor.fields.allSatisfy { $0.usages.count == 1 && $0.usageCount == 65536 })
        #expect(descriptor.fields[0].usage(at: 0) == HIDUsage(page: 0xFF00, id: 0))
    }

    @Test func usageLookupsRespectTheValueCount() {
        let field = HIDReportField(
            kind: .input, reportID: nil, bitOffset: 0, bitSize: 8, count: 2, flags: .variable,
            usages: [
                HIDUsageRange(HIDUsage(page: 1, id: 1)),
                HIDUsageRange(first: HIDUsage(page: 1, id: 5), last: HIDUsage(page: 1, id: 9))!,
            ])
        #expect(field.firstIndex(of: HIDUsage(page: 1, id: 5)) == 1)
        #expect(field.firstIndex(of: HIDUsage(page: 1, id: 6)) == nil)  // declared, but no value has it
        #expect(field.usage(at: 1) == HIDUsage(page: 1, id: 5))
        #expect(field.usage(at: 2) == nil)
        #expect(HIDUsageRange(first: HIDUsage(page: 1, id: 9), last: HIDUsage(page: 1, id: 5)) == nil)
        #expect(HIDUsage(page: 0x8C, id: 0xFE).description == "0x008C:0x00FE")
    }
}
