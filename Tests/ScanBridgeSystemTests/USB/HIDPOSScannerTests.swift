import Foundation
import ScanBridgeCore
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A HID POS scanner (hidraw, usage page 0x8C) under umockdev: the report descriptor is the
/// `H: report_descriptor` attribute of the committed description (Honeywell's HID POS firmware
/// descriptor), the reports a umockdev script (`Tests/Tools/hidpos-script.py`).
@Suite("HID POS scanners under umockdev", .system)
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

    @Test("A multi-line AAMVA licence and an ISO/IEC 15434 message arrive as scans with their exact bytes")
    func multiLinePayloads() async throws {
        let run = try await UmockdevAgentRun("hidpos-multiline")
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        let script = run.directory + "/multiline.script"
        let writer = try WedgeScannerTests.process(
            [
                "/usr/bin/python3", MockTestbed.repository + "/Tests/Tools/hidpos-script.py",
                "]L2:@\\n\\x1e\\rANSI 636000090002DL00410278ZV03190008DLDAQT64235789\\nDCSSAMPLE\\nDACMICHAEL\\nDBD08242015\\n\\r",
                "]d1:[)>\\x1e06\\x1d12S0001\\x1d1PABC-123\\x1dQ10\\x1e\\x04",
            ], log: script)
        _ = await TestSupport.eventually { !writer.isRunning }
        let events = try await run.run(
            umockdev: ["-d", Self.description, "-s", "/dev/hidraw0=\(script)"], devices: "", scans: 2)
        let scans = events.filter { $0["type"] as? String == "barcode.scanned" }
        #expect(events.filter { $0["type"] as? String == "payload.quarantined" }.isEmpty)
        let expected = [
            "]L2@\n\u{1E}\rANSI 636000090002DL00410278ZV03190008DLDAQT64235789\nDCSSAMPLE\nDACMICHAEL\nDBD08242015\n\r",
            "]d1[)>\u{1E}06\u{1D}12S0001\u{1D}1PABC-123\u{1D}Q10\u{1E}\u{04}",
        ]
        #expect(scans.compactMap { ($0["data"] as? [String: Any])?["text"] as? String } == expected)
        #expect(scans.compactMap { $0["raw"] as? String } == expected.map { Base64.encode(Array($0.utf8)) })
    }

    /// Report 2 of the Honeywell layout: byte count, AIM identifier, 56 data bytes, Code ID,
    /// reserved, Decode Data Continued clear (as `Tests/Tools/hidpos-script.py` writes it).
    static func report(aim: String, data: String) -> String {
        let bytes = Array(data.utf8)
        let report: [UInt8] =
            [0x02, UInt8(bytes.count)] + Array(aim.utf8) + bytes + [UInt8](repeating: 0, count: 56 - bytes.count)
            + [0x64, 0x00, 0x00]
        return Hex.encode(report)
    }

    @Test(
        "A held scan sounds the scanner's error beep: output report 4, bit 5, on its hidraw node; a good scan adds none"
    )
    func errorBeep() async throws {
        let run = try await UmockdevAgentRun("hidpos-beep")
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        let testbed = try await TestSupport.onThreadValue { Result { try MockTestbed() } }.get()
        defer { testbed.close() }
        func query(_ command: String) async throws -> String {
            try await TestSupport.onThreadValue { Result { try testbed.query(command) } }.get()
        }
        let agent = try WedgeScannerTests.process(
            [TestSupport.executable, "run", "--config", try run.config(devices: "")],
            environment: testbed.environment, log: run.directory + "/agent.log")
        defer { kill(agent.processIdentifier, SIGKILL) }
        func types() throws -> [String] {
            try WedgeScannerTests.received(run.receiver).compactMap { $0["type"] as? String }
        }
        _ = try await query("add \(Self.description)")
        #expect(try await TestSupport.eventually(seconds: 20) { try types() == ["device.attached"] })
        _ = try await query("feed /dev/hidraw0 \(Self.report(aim: "]C1", data: "0109501101530003"))")
        #expect(try await TestSupport.eventually(seconds: 20) { try types().last == "barcode.scanned" })
        // A held scan's beep is written before the next report is read, so this one is quiet
        // exactly when nothing was written for the good scan.
        _ = try await query("feed /dev/hidraw0 \(Self.report(aim: "]C1", data: "0109501101530004"))")
        #expect(try await TestSupport.eventually(seconds: 20) { try types().last == "payload.quarantined" })
        var written = ""
        _ = await TestSupport.eventually(seconds: 10) {
            written += (try? testbed.query("written /dev/hidraw0")) ?? ""
            return !written.isEmpty
        }
        #expect(written == "0420", "agent log: \(run.directory)/agent.log")
        await WedgeScannerTests.finish(agent)
        await run.receiver.stop()
    }
}
