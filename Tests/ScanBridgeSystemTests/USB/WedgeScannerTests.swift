import Foundation
import GRDB
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The real `scanbridge` binary against umockdev's udev, sysfs and evdev: a keyboard-wedge
/// scanner described in a committed `.umockdev` file, scans replayed from evemu files.
@Suite("Keyboard-wedge scanners under umockdev", .system)
struct WedgeScannerTests {
    static func process(_ arguments: [String], environment extra: [String: String] = [:], log: String) throws
        -> Process
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCANBRIDGE_") }
        environment.merge(extra) { $1 }
        process.environment = environment
        try process.run()
        return process
    }

    /// SIGTERM to the agent: umockdev-run does not pass signals on, so its children get it directly.
    static func finish(_ process: Process) async {
        let pid = process.processIdentifier
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGTERM) }
        if process.isRunning { kill(pid, SIGTERM) }
        _ = await TestSupport.eventually(seconds: 10) { !process.isRunning }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Every event the receiver stored, in `seq` order, as JSON objects.
    static func received(_ receiver: TestReceiver<ReceiverStore>) throws -> [[String: Any]] {
        let bodies = try DatabaseQueue(path: receiver.store.path).read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM receiver_events ORDER BY seq")
        }
        return bodies.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    /// The committed wedge scanner, typing for a French AZERTY layout.
    static let frenchScanner = """
          - match: {vendor_id: "0c2e", product_id: "0b61"}
            keymap: fr
            suffix: enter
        """

    @Test("scanbridge devices: the scanner is opened by its built-in profile, an ordinary keyboard is ignored")
    func devicesListing() async throws {
        let directory = TestSupport.temporaryDirectory("devices")
        let log = directory + "/devices.json"
        let process = try Self.process(
            [
                "/usr/bin/umockdev-run", "-d", WedgeScanner.description, "-d", WedgeScanner.keyboard, "--",
                TestSupport.executable, "devices", "--json",
            ], log: log)
        _ = await TestSupport.eventually(seconds: 20) { !process.isRunning }
        #expect(process.terminationStatus == 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: log)))
        let devices = try #require((json as? [String: Any])?["devices"] as? [[String: Any]])
        let scanner = try #require(devices.first { $0["devnode"] as? String == "/dev/input/event7" })
        #expect(scanner["status"] as? String == "opened")
        #expect(scanner["transport"] as? String == "hid-keyboard")
        #expect(scanner["vendor_id"] as? String == "0c2e")
        #expect(scanner["product_id"] as? String == "0b61")
        #expect(scanner["serial"] as? String == "17297B4F91")
        #expect(scanner["firmware"] as? String == "1.00")
        #expect(scanner["matched_by"] as? String == "profile honeywell-usb")
        let keyboard = try #require(devices.first { $0["devnode"] as? String == "/dev/input/event3" })
        #expect(keyboard["status"] as? String == "ignored")
        #expect((keyboard["reason"] as? String)?.contains("never opened") == true)
    }

    @Test("A GS1 scan typed on an AZERTY wedge scanner reaches the receiver as barcode.scanned")
    func azertyScan() async throws {
        let events = try await UmockdevAgentRun("wedge").run(
            umockdev: ["-d", WedgeScanner.description, "-e", "/dev/input/event7=\(WedgeScanner.scan)"],
            devices: Self.frenchScanner, scans: 1)
        #expect(events.map { $0["type"] as? String } == ["device.attached", "barcode.scanned"])
        let scan = try #require(events.last)
        let data = try #require(scan["data"] as? [String: Any])
        #expect(data["hri"] as? String == "(01)03612345678904(10)ABC-12(17)271231")
        #expect(data["gtin"] as? String == "03612345678904")
        #expect(data["aim"] as? String == "]C1")
        let expectedRaw = Base64.encode(Array("]C10103612345678904\u{1D}10ABC-12\u{1D}17271231".utf8))
        #expect(scan["raw"] as? String == expectedRaw)
        let device = try #require(scan["device"] as? [String: Any])
        #expect(device["id"] as? String == "usb:0c2e:0b61:17297B4F91")
        #expect(device["transport"] as? String == "hid-keyboard")
        #expect(device["firmware"] as? String == "1.00")
        #expect(device["profile"] as? String == "honeywell-usb@1")
    }

    @Test(
        "Hotplug: attach, scan, unplug mid-scan, replug with new firmware: firmware_changed first, nothing lost, the keyboard never read"
    )
    func hotplug() async throws {
        let run = try await UmockdevAgentRun("hotplug")
        let receiver = run.receiver
        let directory = run.directory
        let config = try run.config(devices: Self.frenchScanner)
        // umockdev plays one events file per node: a whole scan, then one cut short by the unplug.
        let scanThenHalf = directory + "/scan-then-half.evemu"
        let typing = try Self.process(
            [
                "/usr/bin/python3", MockTestbed.repository + "/Tests/Tools/evemu-type.py", "fr",
                "]C10103612345678904\u{1D}10ABC-12\u{1D}17271231\r]C10103612345",
            ], log: scanThenHalf)
        _ = await TestSupport.eventually { !typing.isRunning }
        let keyboardTyping = directory + "/keyboard.evemu"
        let typed = try Self.process(
            ["/usr/bin/python3", MockTestbed.repository + "/Tests/Tools/evemu-type.py", "fr", "secret\r"],
            log: keyboardTyping)
        _ = await TestSupport.eventually { !typed.isRunning }

        let testbed = try await TestSupport.onThreadValue { Result { try MockTestbed() } }.get()
        defer { testbed.close() }
        func send(_ command: String) async throws {
            try await TestSupport.onThreadValue { Result { try testbed.send(command) } }.get()
        }
        let agent = try Self.process(
            [TestSupport.executable, "run", "--config", config], environment: testbed.environment,
            log: directory + "/agent.log")
        defer { kill(agent.processIdentifier, SIGKILL) }
        func types() throws -> [String] { try Self.received(receiver).compactMap { $0["type"] as? String } }

        try await send("add \(WedgeScanner.keyboard)")
        try await send("add \(WedgeScanner.description)")
        #expect(try await TestSupport.eventually(seconds: 20) { try types() == ["device.attached"] })
        try await send("evemu /dev/input/event3 \(keyboardTyping)")
        try await send("evemu /dev/input/event7 \(scanThenHalf)")
        #expect(try await TestSupport.eventually(seconds: 20) { try types().count == 2 })
        // The half scan is typed in the next ~60 ms; the receiver cannot see it (no suffix yet).
        try await Task.sleep(for: .seconds(1))
        try await send("remove " + WedgeScanner.syspaths(input: 7).joined(separator: " "))
        #expect(try await TestSupport.eventually(seconds: 20) { try types().count == 4 })
        let replugged = try WedgeScanner.replugged(input: 8, bcdDevice: "0101", in: directory)
        try await send("add \(replugged)")
        #expect(try await TestSupport.eventually(seconds: 20) { try types().count == 6 })
        try await send("evemu /dev/input/event8 \(WedgeScanner.scan)")
        #expect(try await TestSupport.eventually(seconds: 20) { try types().count == 7 })
        try await Task.sleep(for: .milliseconds(500))
        await Self.finish(agent)
        await receiver.stop()

        let events = try Self.received(receiver)
        #expect(
            events.map { $0["type"] as? String } == [
                "device.attached", "barcode.scanned", "payload.quarantined", "device.detached",
                "device.firmware_changed", "device.attached", "barcode.scanned",
            ], "agent log: \(directory)/agent.log")
        #expect(events.map { $0["seq"] as? Int } == Array(1...7))
        let quarantined = events.count > 2 ? events[2]["data"] as? [String: Any] : nil
        #expect("\(quarantined ?? [:])".contains("unplugged in the middle of a scan"))
        let changed = events.count > 4 ? events[4]["data"] as? [String: Any] : nil
        #expect(changed?["old"] as? String == "1.00")
        #expect(changed?["new"] as? String == "1.01")
        for event in events {
            let device = event["device"] as? [String: Any]
            #expect(device?["id"] as? String == "usb:0c2e:0b61:17297B4F91", "only the scanner produces events")
        }
        let scans = events.filter { $0["type"] as? String == "barcode.scanned" }
        #expect(
            scans.compactMap { ($0["data"] as? [String: Any])?["gtin"] as? String } == [
                "03612345678904", "03612345678904",
            ])
        #expect(scans.compactMap { ($0["device"] as? [String: Any])?["firmware"] as? String } == ["1.00", "1.01"])
    }
}
