import Foundation
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReading
import ScanBridgeTools
import Testing

@testable import ScanBridgeTestSupport

/// The status endpoint carries no authentication, so who can reach it is the whole of its
/// protection; and its counters are what alert rules read from the first scan after a restart.
@Suite("Status endpoint exposure and counters", .system)
struct StatusExposureTests {
    /// Runs an agent with its endpoint on a free loopback port; the caller cancels the task.
    static func serving(_ configuration: AgentConfiguration) async throws -> (Task<Void, any Error>, Int) {
        var configuration = configuration
        configuration.statusListen = ListenAddress(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "status-exposure")
        logger.logLevel = .critical
        let agent = try Agent(configuration: configuration, logger: logger)
        let task = Task { try await agent.run() }
        // A liveness bound, not a timing check: a loaded 2-core machine may take a while.
        #expect(await TestSupport.eventually(seconds: 30) { agent.statusPort != nil })
        return (task, agent.statusPort ?? 0)
    }

    @Test("a non-loopback status.listen needs status.allow_remote; loopback and an allowed address start")
    func allowRemote() throws {
        let directory = TestSupport.temporaryDirectory("status-remote")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func start(_ listen: String, allow: Bool) -> String? {
            var configuration = AgentConfiguration(stateDirectory: directory + "/state")
            configuration.statusListen = ListenAddress(listen)
            configuration.statusAllowRemote = allow
            return Agent.startFailure(configuration)
        }
        let refused = start("0.0.0.0:9477", allow: false)
        #expect(refused?.contains("status.allow_remote") == true, "\(refused ?? "started")")
        #expect(start("192.0.2.7:9477", allow: false) != nil)
        #expect(start("0.0.0.0:9477", allow: true) == nil)
        #expect(start("127.0.0.1:9477", allow: false) == nil)
        #expect(start("[::1]:9477", allow: false) == nil)

        let path = directory + "/scanbridge.yaml"
        try "status:\n  listen: 0.0.0.0:9477\n  allow_remote: true\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.load(path: path, environment: [:]).statusAllowRemote)
        #expect(
            try ConfigurationLoader.load(path: nil, environment: ["SCANBRIDGE_STATUS_ALLOW_REMOTE": "true"])
                .statusAllowRemote)
    }

    @Test("requests naming another host (DNS rebinding) are refused; loopback names and IP literals are served")
    func hostHeader() async throws {
        let directory = TestSupport.temporaryDirectory("status-host")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (task, port) = try await Self.serving(AgentConfiguration(stateDirectory: directory))
        defer { task.cancel() }
        func get(_ path: String, host: String) async throws -> Int {
            try await TestSupport.onThreadValue {
                Result { try LoopbackHTTP.get(port: port, path: path, host: host) }
            }.get().status
        }
        for path in ["/", "/status.json", "/metrics"] {
            #expect(try await get(path, host: "rebind.attacker.example:\(port)") == 403, "\(path)")
            #expect(try await get(path, host: "localhost:\(port)") == 200, "\(path)")
            #expect(try await get(path, host: "127.0.0.1:\(port)") == 200, "\(path)")
            #expect(try await get(path, host: "[::1]:\(port)") == 200, "\(path)")
        }
        task.cancel()
        try await task.value
    }

    @Test("each attached device's counters are exposed at 0 before its first event, so increase() sees the first one")
    func countersStartAtZero() async throws {
        let directory = TestSupport.temporaryDirectory("status-zero")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let terminal = try TestSupport.terminal()
        var configuration = AgentConfiguration(stateDirectory: directory)
        configuration.devices = [
            .init(path: terminal.devicePath, baud: 115_200, id: "bench-scanner"),
            .init(path: directory + "/absent-reader", framing: .mercury, id: "dock-reader"),
        ]
        let (task, port) = try await Self.serving(configuration)
        defer { task.cancel() }
        let body = try await TestSupport.onThreadValue {
            Result { try LoopbackHTTP.get(port: port, path: "/metrics") }
        }.get().body
        for series in [
            #"scanbridge_quarantined_total{device="bench-scanner"} 0"#,
            #"scanbridge_events_total{device="bench-scanner",type="barcode.scanned"} 0"#,
            #"scanbridge_events_total{device="bench-scanner",type="payload.quarantined"} 0"#,
            #"scanbridge_quarantined_total{device="dock-reader"} 0"#,
            #"scanbridge_events_total{device="dock-reader",type="rfid.observed"} 0"#,
        ] {
            #expect(body.contains(series), "missing \(series) in\n\(body)")
        }
        task.cancel()
        try await task.value
    }
}
