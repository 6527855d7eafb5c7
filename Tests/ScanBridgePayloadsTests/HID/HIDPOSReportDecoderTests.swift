import ScanBridgePayloads
import Testing

@Suite struct HIDPOSReportDecoderTests {
    private func decoder(_ descriptor: [UInt8], maximumLength: Int = 8192) throws -> HIDPOSReportDecoder {
        let layout = try #require(HIDPOSScannerLayout(descriptor: HIDReportDescriptor(parsing: descriptor)))
        return HIDPOSReportDecoder(layout: layout, maximumLength: maximumLength)
    }

    @Test func realVoyagerReportsJoinIntoOneMessage() throws {
        var decoder = try decoder(Fixtures.honeywellHIDPOS)
        let events = Fixtures.voyagerRevinfReports.map { decoder.decode($0) }
        #expect(events.prefix(5).allSatisfy { $0 == .continued })
        guard case .scan(let data, let symbology) = events[5] else {
            Issue.record("expected a scan, got \(events[5])")
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        #expect(data.count == 5 * 56 + 9)
        #expect(text.hasPrefix("Product Name: Voyager 1602g\r\nBoot Revision: : 8992\r\n"))
        #expect(text.hasSuffix("Checksum: N/A\r\n"))
        #expect(symbology == Array("]X0".utf8))
        #expect(events[6] == .scan(data: Array("REVINF".utf8) + [0x06, 0x2E], symbology: Array("]Z6".utf8)))
        #expect(!decoder.hasPendingScan)
    }

    @Test func aByteCountKeepsTrailingZeroBytes() throws {
        var decoder = try decoder(Fixtures.honeywellHIDPOS)
        let data: [UInt8] = [0x41, 0x00, 0x42, 0x00]
        #expect(decoder.decode(Fixtures.honeywellReport(data)) == .scan(data: data, symbology: Array("]E0".utf8)))
    }

    @Test func aScanOfExactlyFiftySixBytesEndsOnAContinuedReportUntilFlushed() throws {
        // JieLi's sender sets Continued on every full report, even the last one.
        var decoder = try decoder(Fixtures.jieliHIDPOS)
        let full = Fixtures.honeywellReport([UInt8](repeating: 0x31, count: 56), continued: true)
        #expect(decoder.decode(full) == .continued)
        #expect(decoder.hasPendingScan)
        #expect(decoder.flush(reason: .deviceRemoved) == .rejected(full, .deviceRemoved))
        #expect(decoder.flush() == nil)
    }

    @Test func unnumberedReportsTrimZeroPadding() throws {
        var decoder = try decoder(Fixtures.unnumberedScanner)
        func report(_ data: String, continued: Bool) -> [UInt8] {
            var bytes = Array("]C1".utf8) + Array(data.utf8)
            bytes += [UInt8](repeating: 0, count: 23 - bytes.count)
            return bytes + [continued ? 0x01 : 0x00]
        }
        #expect(decoder.decode(report("01095011010209171719", continued: true)) == .continued)
        #expect(
            decoder.decode(report("10ABC123", continued: false))
                == .scan(data: Array("0109501101020917171910ABC123".utf8), symbology: Array("]C1".utf8)))
        #expect(decoder.decode([UInt8](repeating: 0, count: 24)) == .ignored)
        let short = [UInt8](repeating: 0x41, count: 23)
        #expect(decoder.decode(short) == .rejected(short, .wrongLength(expected: 24, actual: 23)))
    }

    @Test func otherReportsAreIgnoredAndBadOnesRejected() throws {
        let descriptor: [UInt8] =
            Fixtures.honeywellHIDPOS.dropLast() + [
                0x05, 0x8C, 0x09, 0x15, 0xA1, 0x02, 0x85, 0x05, 0x75, 0x08, 0x95, 0x01, 0x09, 0x38, 0x81, 0x02, 0xC0,
                0xC0,
            ]  // plus an input status report 5 of one byte
        var decoder = try decoder(descriptor)
        #expect(decoder.layout.framing == .numbered(lengths: [2: 64, 5: 2]))
        #expect(decoder.decode([0x05, 0x01]) == .ignored)
        #expect(decoder.decode([0x07, 0x01]) == .rejected([0x07, 0x01], .unknownReportID(7)))
        #expect(decoder.decode([]) == .rejected([], .emptyReport))
        var overCount = Fixtures.honeywellReport([0x41])
        overCount[1] = 57
        #expect(decoder.decode(overCount) == .rejected(overCount, .byteCountExceedsCapacity(count: 57, capacity: 56)))
    }

    @Test func aBadReportInTheMiddleLosesTheWholeScan() throws {
        var decoder = try decoder(Fixtures.honeywellHIDPOS)
        let first = Fixtures.honeywellReport([UInt8](repeating: 0x30, count: 56), continued: true)
        #expect(decoder.decode(first) == .continued)
        let truncated = Array(Fixtures.honeywellReport([0x31]).prefix(40))
        #expect(decoder.decode(truncated) == .rejected(first + truncated, .wrongLength(expected: 64, actual: 40)))
        #expect(!decoder.hasPendingScan)
    }

    @Test func scansLongerThanTheLimitAreRejectedWithTheirReports() throws {
        var decoder = try decoder(Fixtures.honeywellHIDPOS, maximumLength: 100)
        let chunk = Fixtures.honeywellReport([UInt8](repeating: 0x39, count: 56), continued: true)
        #expect(decoder.decode(chunk) == .continued)
        #expect(decoder.decode(chunk) == .rejected(chunk + chunk, .scanTooLong(limit: 100)))
        // Reports that keep the scan open without adding data are bounded too.
        let empty = Fixtures.honeywellReport([], continued: true)
        var events: [HIDPOSEvent] = []
        for _ in 0..<8 { events.append(decoder.decode(empty)) }
        #expect(events.prefix(7).allSatisfy { $0 == .continued })
        #expect(events[7] == .rejected(Array([[UInt8]](repeating: empty, count: 8).joined()), .scanTooLong(limit: 100)))
    }

    @Test func theSymbologyComesFromTheFirstReportWithoutZeroBytes() throws {
        var decoder = try decoder(Fixtures.honeywellHIDPOS)
        #expect(
            decoder.decode(Fixtures.honeywellReport(Array("AB".utf8), aim: Array("]Q3".utf8), continued: true))
                == .continued)
        #expect(
            decoder.decode(Fixtures.honeywellReport(Array("CD".utf8), aim: [0, 0, 0]))
                == .scan(data: Array("ABCD".utf8), symbology: Array("]Q3".utf8)))
        #expect(
            decoder.decode(Fixtures.honeywellReport(Array("X".utf8), aim: [0, 0, 0]))
                == .scan(data: Array("X".utf8), symbology: []))
    }

    /// Random reports of the right length never produce more than `maximumLength` bytes and
    /// never leave the decoder holding more than the limit allows.
    @Test func randomReportsStayWithinBounds() throws {
        var generator = SeededGenerator(seed: 42)
        var decoder = try decoder(Fixtures.honeywellHIDPOS, maximumLength: 300)
        var scans = 0
        for _ in 0..<5000 {
            var report = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
            report[0] = 2
            report[1] = UInt8.random(in: 0...60, using: &generator)
            report[63] = UInt8.random(in: 0...3, using: &generator)
            switch decoder.decode(report) {
            case .scan(let data, let symbology):
                scans += 1
                #expect(data.count <= 300 && symbology.count <= 3)
            case .rejected(let bytes, _):
                #expect(bytes.count <= 4 * 300 + 64)
            case .continued, .ignored:
                break
            }
        }
        #expect(scans > 100)
    }
}
