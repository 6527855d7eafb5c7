import Foundation
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReading
import ScanBridgeTools
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The local endpoint operators and the workshop tablet rely on: metric names are a
/// contract, health and readiness answer with a reason, and the page says in plain words
/// what is happening.
@Suite("Status endpoint", .system)
struct StatusEndpointTests {
    struct Running {
        let agent: Agent
        let task: Task<Void, any Error>
        let terminal: PseudoTerminal
        let port: Int
    }

    /// An agent with one pty scanner, no upstream reachable, and the endpoint on a free port.
    func start(upstream: String? = "http://127.0.0.1:9/v1/scan-batches") async throws -> Running {
        let directory = TestSupport.temporaryDirectory("status")
        let terminal = try TestSupport.terminal()
        var configuration = AgentConfiguration(stateDirectory: directory)
        configuration.statusListen = ListenAddress(host: "127.0.0.1", port: 0)
        configuration.upstream = upstream.map { url in
            var settings = AgentConfiguration.Upstream(url: url)
            settings.retryCapMilliseconds = 200
            settings.timeoutMilliseconds = 500
            settings.batchLimits.maxAgeMilliseconds = 50
            return settings
        }
        configuration.devices = [
            .init(path: terminal.devicePath, baud: 115_200, id: "bench-scanner"),
            .init(path: directory + "/absent-reader", framing: .mercury, id: "dock-reader"),
        ]
        var logger = Logger(label: "status")
        logger.logLevel = .critical
        let agent = try Agent(configuration: configuration, logger: logger)
        let task = Task { try await agent.run() }
        // A liveness bound, not a timing check: a loaded 2-core machine may take a while.
        let listening = await TestSupport.eventually(seconds: 30) { agent.statusPort != nil }
        #expect(listening)
        return Running(agent: agent, task: task, terminal: terminal, port: agent.statusPort ?? 0)
    }

    func stop(_ running: Running) async throws {
        running.task.cancel()
        try await running.task.value
    }

    @Test("/metrics carries the pinned names with the agent's real numbers")
    func metrics() async throws {
        let running = try await start()
        // Cancelled even when the test throws: a leaked agent would keep reopening its
        // terminal's path and read what a later test writes there.
        defer { running.task.cancel() }
        try running.terminal.write(Array("]C10109501101530003\r\nnot gs1 \u{1}\r\n".utf8))
        let stored = await TestSupport.eventually { running.agent.counters.snapshot.stored >= 2 }
        #expect(stored)
        _ = await TestSupport.eventually { running.agent.counters.snapshot.retries >= 1 }
        let (status, body) = try await HTTPProbe.get(port: running.port, path: "/metrics")
        #expect(status == 200)
        for name in [
            "scanbridge_events_total{device=\"bench-scanner\",type=\"barcode.scanned\"} 1",
            "scanbridge_quarantined_total{device=\"bench-scanner\"} 1",
            "scanbridge_backlog_events 2", "scanbridge_backlog_oldest_age_seconds",
            "scanbridge_batches_total{result=\"accepted\"} 0", "scanbridge_batches_total{result=\"repeat\"} 0",
            "scanbridge_batches_total{result=\"parked\"} 0", "scanbridge_batches_total{result=\"retry\"}",
            "scanbridge_upload_duration_seconds_bucket", "scanbridge_devices_connected 1",
            "scanbridge_drift_alerts_open 0", "scanbridge_upstream_bytes_total{body=\"signed\"} 0",
            "scanbridge_upstream_bytes_total{body=\"sent\"} 0",
        ] {
            #expect(body.contains(name), "missing \(name) in\n\(body)")
        }
        #expect(
            !body.contains("scanbridge_batches_total{result=\"retry\"} 0"), "the unreachable upstream counts retries")
        try await stop(running)
    }

    @Test("/healthz and /readyz answer with a short JSON reason; /status.json is the status contract")
    func health() async throws {
        let running = try await start(upstream: nil)
        defer { running.task.cancel() }
        let (healthStatus, health) = try await HTTPProbe.get(port: running.port, path: "/healthz")
        #expect(healthStatus == 200 && health.contains("alive"))
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await HTTPProbe.get(port: running.port, path: "/readyz").status) == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready)
        let (_, status) = try await HTTPProbe.get(port: running.port, path: "/status.json")
        #expect(status.contains("\"backlog_events\":0"))
        #expect(try await HTTPProbe.get(port: running.port, path: "/nothing-here").status == 404)
        try await stop(running)
    }

    @Test("the page names each device, connected or not, and what the operator should know")
    func page() async throws {
        let running = try await start()
        defer { running.task.cancel() }
        try running.terminal.write(Array("]C10109501101530003\r\n".utf8))
        _ = await TestSupport.eventually { running.agent.counters.snapshot.stored >= 1 }
        let (status, html) = try await HTTPProbe.get(port: running.port, path: "/")
        #expect(status == 200)
        #expect(html.contains("bench-scanner") && html.contains("dock-reader"))
        #expect(html.contains("<span class=\"on\">connected</span>"))
        #expect(html.contains("not connected"))
        #expect(html.contains("no such device"), "the absent reader's problem is shown")
        #expect(html.contains("1 scans"))
        #expect(html.contains("http-equiv=\"refresh\""))
        #expect(!html.contains("http://") && !html.contains("https://"), "no external assets")
        try await stop(running)
    }

    @Test(
        "headless Chromium renders the page: the headline and the device list as a person sees them",
        .enabled(if: Chromium.executable != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
    func browser() async throws {
        let browser = try #require(Chromium.executable, "CI installs the chromium package")
        let running = try await start(upstream: nil)
        defer { running.task.cancel() }
        try running.terminal.write(Array("]C10109501101530003\r\n".utf8))
        _ = await TestSupport.eventually { running.agent.counters.snapshot.stored >= 1 }
        let url = "http://127.0.0.1:\(running.port)/"
        let text = try await HTTPProbe.dumpText(browser: browser, url: url)
        #expect(text.contains("no upstream is configured"), "headline in \(text)")
        #expect(text.contains("bench-scanner") && text.contains("connected"))
        #expect(text.contains("dock-reader") && text.contains("not connected"))
        #expect(text.contains("Nothing needs attention"))
        try await stop(running)
    }
}

/// A plain HTTP/1.1 GET over a socket, and the browser the page test drives.
enum HTTPProbe {
    /// On its own thread: a blocking socket must not hold a cooperative-pool thread the
    /// server's handlers need.
    static func get(port: Int, path: String) async throws -> (status: Int, body: String) {
        try await TestSupport.onThreadValue { Result { try blockingGet(port: port, path: path) } }.get()
    }

    static func blockingGet(port: Int, path: String) throws -> (status: Int, body: String) {
        try LoopbackHTTP.get(port: port, path: path)
    }

    /// Any method, with headers (a form post naming its origin).
    static func request(
        _ method: String, port: Int, path: String, host: String = "127.0.0.1", headers: [(String, String)] = []
    ) async throws -> (status: Int, head: String, body: String) {
        try await TestSupport.onThreadValue {
            Result { () throws(LoopbackHTTP.Failure) in
                try LoopbackHTTP.request(method, port: port, path: path, host: host, headers: headers)
            }
        }.get()
    }

    /// The page's visible text as Chromium renders it (`--dump-dom`, tags stripped).
    static func dumpText(browser: String, url: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        let profile = TestSupport.temporaryDirectory("chromium")
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
            "--virtual-time-budget=2000", "--dump-dom", url,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let data = await TestSupport.onThreadValue { output.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        let dom = String(decoding: data, as: UTF8.self)
        guard dom.contains("<html") else { throw ProbeError("chromium printed no DOM") }
        var text = ""
        var inTag = false
        for character in dom {
            if character == "<" {
                inTag = true
            } else if character == ">" {
                inTag = false; text += " "
            } else if !inTag {
                text.append(character)
            }
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

struct ProbeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
