import Foundation
import Testing

@testable import ScanBridgeTestSupport

/// A `devices` rule written for an RFID reader behind a CH340 bridge (`{vendor_id: "1a86"}`)
/// and an ordinary keyboard built on the same vendor's chip, under umockdev: the keyboard is
/// listed as ignored with the reason and never opened, so what a person types is never read.
@Suite("Keyboard allowlist under umockdev", .system)
struct KeyboardAllowlistTests {
    static let rule = """
          - match: {vendor_id: "1a86"}
        """

    /// The committed Logitech keyboard turned into a CH340-based one (`1a86:7523`).
    static func ch340Keyboard(in directory: String) throws -> String {
        let text = try String(contentsOfFile: WedgeScanner.keyboard, encoding: .utf8)
            .replacingOccurrences(of: "046d", with: "1a86").replacingOccurrences(of: "046D", with: "1A86")
            .replacingOccurrences(of: "c31c", with: "7523").replacingOccurrences(of: "C31C", with: "7523")
            .replacingOccurrences(of: "Logitech", with: "WCH")
        let path = directory + "/ch340-keyboard.umockdev"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("scanbridge devices lists the CH340 keyboard as ignored, saying why")
    func listed() async throws {
        let run = try await UmockdevAgentRun("allowlist-devices")
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        await run.receiver.stop()
        let config = try run.config(devices: Self.rule)
        let log = run.directory + "/devices.json"
        let process = try WedgeScannerTests.process(
            [
                "/usr/bin/umockdev-run", "-d", Self.ch340Keyboard(in: run.directory), "--", TestSupport.executable,
                "devices", "--json", "--config", config,
            ], log: log)
        _ = await TestSupport.eventually(seconds: 20) { !process.isRunning }
        #expect(process.terminationStatus == 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: log)))
        let devices = try #require((json as? [String: Any])?["devices"] as? [[String: Any]])
        let keyboard = try #require(devices.first { $0["devnode"] as? String == "/dev/input/event3" })
        #expect(keyboard["vendor_id"] as? String == "1a86")
        #expect(keyboard["status"] as? String == "ignored")
        let reason = keyboard["reason"] as? String ?? ""
        #expect(reason.contains("vendor_id only") && reason.contains("never opened"), "reason: \(reason)")
    }

    @Test("scanbridge run never opens the CH340 keyboard: its typing is not read while a scanner's scan arrives")
    func neverOpened() async throws {
        let run = try await UmockdevAgentRun("allowlist-run")
        defer { try? FileManager.default.removeItem(atPath: run.directory) }
        let typing = run.directory + "/typing.evemu"
        let typist = try WedgeScannerTests.process(
            ["/usr/bin/python3", MockTestbed.repository + "/Tests/Tools/evemu-type.py", "us", "secret\r"], log: typing)
        _ = await TestSupport.eventually { !typist.isRunning }
        let keyboard = try Self.ch340Keyboard(in: run.directory)
        // The Honeywell wedge scanner's scan shows the agent reads what it may; by the time it
        // arrives, typing on an opened keyboard would have too (both replay when opened).
        let events = try await run.run(
            umockdev: [
                "-d", WedgeScanner.description, "-d", keyboard, "-e", "/dev/input/event7=\(WedgeScanner.scan)", "-e",
                "/dev/input/event3=\(typing)",
            ],
            devices: Self.rule + "\n" + WedgeScannerTests.frenchScanner, scans: 1)
        #expect(events.map { $0["type"] as? String } == ["device.attached", "barcode.scanned"])
        for event in events {
            let device = event["device"] as? [String: Any]
            #expect(device?["vendor_id"] as? String == "0c2e", "only the scanner produces events")
        }
        let log = try String(contentsOfFile: run.directory + "/agent.log", encoding: .utf8)
        #expect(log.contains("device ignored") && log.contains("/dev/input/event3"))
    }
}
