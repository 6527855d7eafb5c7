import Foundation
import ScanBridgeCore
import Testing

/// A HID POS scanner (hidraw, usage page 0x8C) under umockdev: the report descriptor is the
/// `H: report_descriptor` attribute of the committed description (Honeywell's HID POS firmware
/// descriptor), the reports a umockdev script (`Tests/Tools/hidpos-script.py`).
@Suite("HID POS scanners under umockdev", .serialized)
struct HIDPOSScannerTests {
    static let description = MockTestbed.fixtures + "/umockdev/honeywell-hidpos.umockdev"
    static let script = MockTestbed.fixtures + "/umockdev/honeywell-hidpos.script"

    @Test("Single and multi-report scans reach the receiver with their AIM identifiers, with no configuration")
    func scans() async throws {
        let events = try await UmockdevAgentRun("hidpos").run(
            umockdev: ["-d", Self.description, "-s", "/dev/hidraw0=\(Self.script)"], devices: "", scans: 3)
        #expect(events.first?["type"] as? String == "device.attached")
        let scans = events.filter { $0["type"] as? String == "barcode.scanned" }
        let texts = scans.compactMap { ($0["data"] as? [String: Any])?["text"] as? String }
        #expect(
            texts == [
                "]E05901234123457", "]d20103612345678904",
                "]d2010361234567890421SN0000000000000001\u{1D}10LOT20261127WS7\u{1D}17271231",
            ])
        let last = try #require(scans.last?["data"] as? [String: Any])
        #expect(last["hri"] as? String == "(01)03612345678904(21)SN0000000000000001(10)LOT20261127WS7(17)271231")
        let device = try #require(scans.first?["device"] as? [String: Any])
        #expect(device["transport"] as? String == "hid-pos")
        #expect(device["id"] as? String == "usb:0c2e:0b07:21042B0317")
        #expect(device["firmware"] as? String == "5.12")
        #expect(scans.last?["raw"] as? String == Base64.encode(Array(texts.last!.utf8)))
    }
}
