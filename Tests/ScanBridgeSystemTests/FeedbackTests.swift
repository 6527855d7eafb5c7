import Foundation
import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgeReading
import ScanBridgeStore
import ScanBridgeTools
import Testing

@testable import ScanBridgeAgent
@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The person at the bench hears about a held scan at once: a serial device gets its profile's
/// bytes on the port it is read from; a device that cannot be told turns the status page red
/// until someone acknowledges it there.
@Suite("Feedback at the device", .system)
struct FeedbackTests {
    struct Running {
        let agent: Agent
        let task: Task<Void, any Error>
        let terminal: PseudoTerminal
        let directory: String
        var port: Int { agent.statusPort ?? 0 }

        func stop() async throws {
            task.cancel()
            try await task.value
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static let profile = #"""
        {"id": "bench-gs1", "version": 1, "decoder": "gs1", "feedback": {"error": "1B45", "ok": "07"}}
        """#

    /// An agent reading one pty scanner, with the `bench-gs1` profile on disk and no upstream.
    func start(profile: String?, feedback: Bool = true) async throws -> Running {
        let directory = TestSupport.temporaryDirectory("feedback")
        try FileManager.default.createDirectory(atPath: directory + "/profiles", withIntermediateDirectories: true)
        try Self.profile.write(toFile: directory + "/profiles/bench-gs1.json", atomically: true, encoding: .utf8)
        let terminal = try TestSupport.terminal()
        var configuration = AgentConfiguration(stateDirectory: directory + "/state")
        configuration.profileDirectories = [directory + "/profiles"]
        configuration.statusListen = ListenAddress(host: "127.0.0.1", port: 0)
        var device = AgentConfiguration.SerialDevice(path: terminal.devicePath, baud: 115_200, id: "bench")
        device.profile = profile
        device.feedback = feedback
        configuration.devices = [device]
        var logger = Logger(label: "feedback")
        logger.logLevel = .critical
        let agent = try Agent(configuration: configuration, logger: logger)
        let task = Task { try await agent.run() }
        let listening = await TestSupport.eventually(seconds: 30) { agent.statusPort != nil }
        #expect(listening)
        return Running(agent: agent, task: task, terminal: terminal, directory: directory)
    }

    /// What the agent wrote to the port so far (the controller side of the pty).
    func written(_ terminal: PseudoTerminal, expecting count: Int, waitingAtMost milliseconds: Int = 10_000) async
        -> [UInt8]
    {
        await TestSupport.onThreadValue {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 256)
            var waited = 0
            while bytes.count < count, waited < milliseconds {
                var descriptor = pollfd(fd: terminal.controller, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) == 1 else {
                    waited += 100
                    continue
                }
                let read = buffer.withUnsafeMutableBytes { Glibc.read(terminal.controller, $0.baseAddress, $0.count) }
                if read <= 0 { break }
                bytes += buffer[0..<read]
            }
            return bytes
        }
    }

    @Test("a serial scanner gets its profile's ok bytes for an accepted scan and error bytes for a held one, counted")
    func serialBytes() async throws {
        let running = try await start(profile: "bench-gs1")
        defer { running.task.cancel() }
        try running.terminal.write(Array("]C10109501101530003\r\n".utf8))
        #expect(await written(running.terminal, expecting: 1) == [0x07])
        try running.terminal.write(Array("]C10109501101530004\r\n".utf8))
        #expect(await written(running.terminal, expecting: 2) == [0x1B, 0x45])
        let sent = await TestSupport.eventually { running.agent.counters.snapshot.feedback[.sent] == 2 }
        #expect(sent)
        let metrics = try await HTTPProbe.get(port: running.port, path: "/metrics").body
        for line in [
            #"scanbridge_feedback_total{device="bench",kind="ok",result="sent"} 1"#,
            #"scanbridge_feedback_total{device="bench",kind="error",result="sent"} 1"#,
        ] {
            #expect(metrics.contains(line), "missing \(line)")
        }
        let status = try await HTTPProbe.get(port: running.port, path: "/status.json").body
        #expect(status.contains(#""feedback":{"sent":2,"failed":0,"shown":0,"unacknowledged":0}"#), "\(status)")
        let page = try await HTTPProbe.get(port: running.port, path: "/").body
        #expect(!page.contains("Held scans"), "the scanner was told; the page stays calm")
        try await running.stop()
    }

    @Test("feedback: false writes nothing to the device and shows nothing on the page")
    func switchedOff() async throws {
        let running = try await start(profile: "bench-gs1", feedback: false)
        defer { running.task.cancel() }
        try running.terminal.write(Array("]C10109501101530004\r\n]C10109501101530003\r\n".utf8))
        _ = await TestSupport.eventually { running.agent.counters.snapshot.stored >= 2 }
        // A device's feedback is written before its next read: once this later scan is
        // stored, anything the first two called for would already be on the line.
        try running.terminal.write(Array("]C10109501101530003\r\n".utf8))
        let stored = await TestSupport.eventually { running.agent.counters.snapshot.stored >= 3 }
        #expect(stored)
        #expect(await written(running.terminal, expecting: 1, waitingAtMost: 200).isEmpty)
        #expect(running.agent.counters.snapshot.feedback.isEmpty)
        #expect(!(try await HTTPProbe.get(port: running.port, path: "/").body.contains("Held scans")))
        try await running.stop()
    }

    @Test("a device with no way back turns the page red until acknowledged there; a form from elsewhere cannot")
    func pageHold() async throws {
        let running = try await start(profile: nil)
        defer { running.task.cancel() }
        try running.terminal.write(Array("]C10109501101530004\r\n".utf8))
        let shown = await TestSupport.eventually { running.agent.counters.snapshot.feedback[.shown] == 1 }
        #expect(shown)
        let page = try await HTTPProbe.get(port: running.port, path: "/").body
        #expect(page.contains(#"<body class="held">"#))
        #expect(page.contains("Scan held from bench") && page.contains("check digit"))
        #expect(page.contains("AudioContext") && page.contains(#"action="/holds/acknowledge?through=1""#))
        let foreign = try await HTTPProbe.request(
            "POST", port: running.port, path: "/holds/acknowledge?through=1",
            headers: [("Origin", "http://attacker.example")])
        #expect(foreign.status == 403)
        let rebound = try await HTTPProbe.request(
            "POST", port: running.port, path: "/holds/acknowledge?through=1", host: "scanbridge.attacker.example")
        #expect(rebound.status == 403, "a rebound name is refused before the form is read")
        #expect(running.agent.devices.unacknowledgedHolds.count == 1)
        let own = try await HTTPProbe.request(
            "POST", port: running.port, path: "/holds/acknowledge?through=1",
            headers: [("Origin", "http://127.0.0.1:\(running.port)")])
        #expect(own.status == 303 && own.head.contains("Location: /"))
        #expect(running.agent.devices.unacknowledgedHolds.isEmpty)
        let after = try await HTTPProbe.get(port: running.port, path: "/").body
        #expect(!after.contains(#"<body class="held">"#))
        try await running.stop()
    }

    @Test("a scanner that refuses its beep is written to once, logged once; its holds go to the status page")
    func refusedOnce() async throws {
        let harness = try SerialHarness()
        defer { try? FileManager.default.removeItem(atPath: harness.directory) }
        let description = try String(contentsOfFile: HIDPOSScannerTests.description, encoding: .utf8)
        let line = try #require(description.split(separator: "\n").first { $0.hasPrefix("H: report_descriptor=") })
        let descriptor = try #require(Hex.decode(String(line.dropFirst("H: report_descriptor=".count))))
        // The node is the read end of a pipe: reports arrive as from hidraw, and a write
        // fails as on a node opened without write permission.
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(writeEnd) }
        var logger = Logger(label: "feedback")
        logger.logLevel = .critical
        let states = DeviceStates()
        let runner = DeviceRunner(
            target: .init(
                identity: DeviceIdentity(id: "hidpos", transport: .hidPOS), path: "/dev/hidraw9",
                profileID: "serial-lines",
                profile: try ProfileCatalog.load(directories: []).resolve(
                    id: "serial-lines", vendorID: nil, productID: nil, serial: nil, firmware: nil),
                discovered: nil),
            plan: .hidPOS(try HIDPOSScanDecoder(descriptor: descriptor), maxLineBytes: 4096),
            source: NodeInputSource(path: "/dev/hidraw9", opener: { _ in readEnd }, acceptsWrites: true),
            sink: EventSink(
                outbox: harness.outbox, storage: StorageState(doorbell: Doorbell()), counters: harness.counters,
                logger: logger, metrics: nil),
            registry: DeviceRegistry(database: harness.database), states: states, logger: logger,
            feedback: FeedbackPlan(channel: .hidOutputReport, error: [0x04, 0x20], ok: nil))
        let task = Task { await runner.run() }
        defer { runner.source.stop() }
        let held = try #require(Hex.decode(HIDPOSScannerTests.report(aim: "]C1", data: "0109501101530004")))
        func scan() { _ = held.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) } }
        scan()
        let refused = await TestSupport.eventually { harness.counters.snapshot.feedback[.shown] == 1 }
        #expect(refused, "\(harness.counters.snapshot.feedback)")
        scan()
        scan()
        let shown = await TestSupport.eventually { states.unacknowledgedHolds.count == 3 }
        #expect(shown, "\(harness.counters.snapshot.feedback)")
        #expect(harness.counters.snapshot.feedback[.failed] == 1, "one refused write, then no more tries")
        #expect(harness.counters.snapshot.feedback[.sent] == nil)
        #expect(states.unacknowledgedHolds.map(\.deviceID) == ["hidpos", "hidpos", "hidpos"])
        #expect(states.unacknowledgedHolds.first?.reason.contains("check digit") == true)
        runner.source.stop()
        await task.value
    }

    @Test(
        "in headless Chromium the page turns red, names the device and reason, starts its tone, and Acknowledge clears it",
        .enabled(if: Chromium.executable != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
    func browserHold() async throws {
        let running = try await start(profile: nil)
        defer { running.task.cancel() }
        try running.terminal.write(Array("]C10109501101530004\r\n".utf8))
        let shown = await TestSupport.eventually { running.agent.counters.snapshot.feedback[.shown] == 1 }
        #expect(shown)
        let values = try await Chromium.run(
            [
                ["navigate": "http://127.0.0.1:\(running.port)/"],
                ["eval": "document.body.className"],
                ["eval": "document.getElementById('headline').innerText"],
                // Set by the page's script once its AudioContext exists; the tone runs in it.
                ["wait_for": "window.scanbridgeTone && window.scanbridgeTone.state === 'running' && 'running'"],
                ["eval_navigate": "document.getElementById('acknowledge').click()"],
                ["eval": "document.body.className"],
                ["eval": "document.getElementById('headline').innerText"],
            ],
            // A kiosk tablet's browser is started so; without it the page asks for a tap.
            flags: ["--autoplay-policy=no-user-gesture-required"])
        try #require(values.count == 5, "\(values)")
        #expect(values[0] as? String == "held")
        let headline = values[1] as? String ?? ""
        #expect(headline.contains("Scan held from bench") && headline.contains("check digit"), "\(headline)")
        #expect(values[2] as? String == "running")
        #expect(values[3] as? String == "", "acknowledged through the page's own form")
        #expect(!(values[4] as? String ?? "").contains("held"))
        #expect(running.agent.devices.unacknowledgedHolds.isEmpty)
        try await running.stop()
    }
}
