import ScanBridgePayloads
import Testing

@Suite struct HIDPOSScannerLayoutTests {
    @Test func honeywellReportTwoCarriesTheScan() throws {
        let layout = try #require(
            HIDPOSScannerLayout(descriptor: HIDReportDescriptor(parsing: Fixtures.honeywellHIDPOS)))
        #expect(layout.usesReportIDs)
        #expect(layout.framing == .numbered(lengths: [2: 64]))
        let report = try #require(layout.scannedDataReports[2])
        #expect(report.length == 64)
        #expect(report.applicationUsage == HIDPOSUsage.barCodeScanner)
        #expect(report.dataBitOffset == 32)
        #expect(report.dataCapacity == 56)
        #expect(report.byteCount == HIDValueLocation(bitOffset: 0, bitSize: 8))
        #expect(report.symbology.map(\.bitOffset) == [8, 16, 24])
        #expect(report.continued == HIDValueLocation(bitOffset: 496, bitSize: 1))
    }

    @Test func theVendorReMInterfaceHasTheSameReportUnderItsOwnApplication() throws {
        let layout = try #require(HIDPOSScannerLayout(descriptor: HIDReportDescriptor(parsing: Fixtures.honeywellReM)))
        let report = try #require(layout.scannedDataReports[2])
        #expect(report.applicationUsage == HIDUsage(page: 0xFF8C, id: 0x02))
        #expect(report.dataCapacity == 56)
        #expect(layout.framing == .numbered(lengths: [2: 64]))
    }

    @Test func jieliCloneMatchesHoneywell() throws {
        let jieli = try #require(HIDPOSScannerLayout(descriptor: HIDReportDescriptor(parsing: Fixtures.jieliHIDPOS)))
        let honeywell = try #require(
            HIDPOSScannerLayout(descriptor: HIDReportDescriptor(parsing: Fixtures.honeywellHIDPOS)))
        #expect(jieli == honeywell)
    }

    @Test func unnumberedScannerWithoutByteCount() throws {
        let layout = try #require(
            HIDPOSScannerLayout(descriptor: HIDReportDescriptor(parsing: Fixtures.unnumberedScanner)))
        #expect(!layout.usesReportIDs)
        #expect(layout.framing == .unnumbered(length: 24))
        let report = try #require(layout.scannedDataReports[nil])
        #expect(report.byteCount == nil)
        #expect(report.dataBitOffset == 24)
        #expect(report.continued == HIDValueLocation(bitOffset: 184, bitSize: 1))
    }

    @Test func descriptorsWithoutDecodedDataAreNoScanner() throws {
        #expect(HIDPOSScannerLayout(descriptor: try HIDReportDescriptor(parsing: Fixtures.bootKeyboard)) == nil)
        // Decoded Data only in an output report, or only 1-bit wide, does not count.
        let output: [UInt8] = [0x05, 0x8C, 0x09, 0xFE, 0x75, 0x08, 0x95, 0x04, 0x91, 0x02]
        #expect(HIDPOSScannerLayout(descriptor: try HIDReportDescriptor(parsing: output)) == nil)
        let bits: [UInt8] = [0x05, 0x8C, 0x09, 0xFE, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02]
        #expect(HIDPOSScannerLayout(descriptor: try HIDReportDescriptor(parsing: bits)) == nil)
    }
}
