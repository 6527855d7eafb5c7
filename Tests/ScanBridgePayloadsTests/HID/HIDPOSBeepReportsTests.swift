import ScanBridgePayloads
import Testing

@Suite struct HIDPOSBeepReportsTests {
    @Test("Honeywell's output report 4: the error beep is bit 5 after the id, the good-read beep bit 6")
    func honeywellBits() throws {
        let beeps = try #require(HIDPOSBeepReports(descriptor: HIDReportDescriptor(parsing: Fixtures.honeywellHIDPOS)))
        #expect(beeps.errorBeep == [0x04, 0b0010_0000])
        #expect(beeps.goodReadBeep == [0x04, 0b0100_0000])
    }

    @Test("a selector array without report ids: the usage's ordinal plus the logical minimum, id byte 0")
    func arraySelector() throws {
        let descriptor: [UInt8] = [
            0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,  // Bar Code Scanner page, application collection
            0x09, 0xFE, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x08, 0x81, 0x02,  // 8 data bytes in
            0x19, 0x84, 0x29, 0x86, 0x15, 0x01, 0x25, 0x03, 0x75, 0x08, 0x95, 0x01, 0x91, 0x00,  // selector out
            0xC0,
        ]
        let beeps = try #require(HIDPOSBeepReports(descriptor: HIDReportDescriptor(parsing: descriptor)))
        #expect(beeps.errorBeep == [0x00, 0x02])
        #expect(beeps.goodReadBeep == [0x00, 0x03])
    }

    @Test("a scanner without beep usages has no feedback reports")
    func noBeeps() throws {
        #expect(HIDPOSBeepReports(descriptor: try HIDReportDescriptor(parsing: Fixtures.unnumberedScanner)) == nil)
    }
}
