import Foundation
import Testing

@testable import ScanBridgeTestSupport

/// A scanner in a vendor-class USB mode (no hidraw, input or tty node), read through libusb:
/// umockdev replays a usbmon capture (`Tests/Tools/usbmon-pcap.py`) as the completions of the
/// reader's bulk IN transfers.
@Suite("Vendor-class USB interfaces under umockdev (libusb)", .system)
struct VendorInterfaceTests {
    static let description = MockTestbed.fixtures + "/umockdev/newland-vendor.umockdev"
    static let syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-4"

    @Test("A transport: usb-vendor rule claims the interface; lines split across transfers arrive whole")
    func vendorLines() async throws {
        let run = try await UmockdevAgentRun("vendor")
        let capture = run.directory + "/scans.pcap"
        let writer = try WedgeScannerTests.process(
            [
                "/usr/bin/python3", MockTestbed.repository + "/Tests/Tools/usbmon-pcap.py", capture, "1", "7", "0x81",
                "bulk", "64", "]E05901234123457\\r\\n", "]C1010361234567890410AB", "C-12\\x1d17271231\\r\\n",
            ], log: run.directory + "/pcap.log")
        _ = await TestSupport.eventually { !writer.isRunning }
        let events = try await run.run(
            umockdev: ["-d", Self.description, "-p", "\(Self.syspath)=\(capture)"],
            devices: """
                  - match: {vendor_id: "1eab", product_id: "1d06", interface: 0}
                    transport: usb-vendor
                """, scans: 2)
        let scans = events.filter { $0["type"] as? String == "barcode.scanned" }
        #expect(
            scans.compactMap { ($0["data"] as? [String: Any])?["text"] as? String } == [
                "]E05901234123457", "]C1010361234567890410ABC-12\u{1D}17271231",
            ])
        let device = try #require(scans.first?["device"] as? [String: Any])
        #expect(device["transport"] as? String == "usb-vendor")
        #expect(device["id"] as? String == "usb:1eab:1d06:NLS0042")
        #expect(device["firmware"] as? String == "2.03")
    }
}
