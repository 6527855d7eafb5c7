import Foundation
import Testing

@testable import ScanBridgeTestSupport

/// A scanner in USB COM (CDC-ACM) mode: discovery finds its tty by the USB parent, the built-in
/// profile of its family claims it, and it is read like a configured serial port.
@Suite("USB serial scanners under umockdev", .system)
struct CDCScannerTests {
    @Test("A Zebra ttyACM is found, announced and read with no configuration; its events carry the USB identity")
    func cdcScanner() async throws {
        let description = MockTestbed.fixtures + "/umockdev/zebra-cdc.umockdev"
        let script = MockTestbed.fixtures + "/umockdev/zebra-cdc.script"
        let events = try await UmockdevAgentRun("cdc").run(
            umockdev: ["-d", description, "-s", "/dev/ttyACM0=\(script)"], devices: "", scans: 2)
        #expect(events.first?["type"] as? String == "device.attached")
        let scans = events.filter { $0["type"] as? String == "barcode.scanned" }
        #expect(
            scans.compactMap { ($0["data"] as? [String: Any])?["text"] as? String } == [
                "]E05901234123457", "]C10103612345678904\u{1D}10ABC-12",
            ])
        for event in events {
            let device = event["device"] as? [String: Any]
            #expect(device?["id"] as? String == "usb:05e0:1701:S18309523021844")
            #expect(device?["vendor_id"] as? String == "05e0")
            #expect(device?["transport"] as? String == "serial")
            #expect(device?["profile"] as? String == "zebra-usb@1")
        }
    }
}
