import Foundation
import Testing

@testable import ScanBridgeTestSupport

/// `scanbridge bench` is how operators size a box: it must run the real agent process end to
/// end and print every figure the performance contract names. (The figures themselves are
/// judged in docs/performance.md, never here: these machines are noisy.)
@Suite("Bench command", .system)
struct BenchCommandTests {
    @Test("a short bench runs the agent process and reports every key, with every scan accounted for")
    func shortRun() async throws {
        let report = try await Self.agentBench([])
        #expect(report["link_mbps"] is NSNull)
    }

    @Test("through a slow link the backlog still drains, compressed, and the bench says how many bytes it took")
    func slowLink() async throws {
        let report = try await Self.agentBench(["--link-mbps", "2"])
        #expect((report["link_mbps"] as? NSNumber)?.doubleValue == 2)
        // An event of the bench's scans is ~350 bytes of JSON; gzip'd in full batches, far less.
        let wire = (report["wire_bytes_per_event"] as? NSNumber)?.doubleValue ?? 0
        #expect(wire > 0 && wire < 150, "wire_bytes_per_event \(wire)")
    }

    static func agentBench(_ extra: [String]) async throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments =
            ["bench", "--devices", "2", "--rate", "50", "--seconds", "1", "--outage", "1", "--json"] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let data = await TestSupport.onThreadValue { output.fileHandleForReading.readDataToEndOfFile() }
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(process.terminationStatus == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in [
            "events", "ingest_eps", "durable_p50_ms", "durable_p99_ms", "ack_p50_ms", "ack_p99_ms", "drain_eps",
            "backlog_events", "rss_peak_mb", "idle_cpu_pct", "idle_wakeups_per_s", "startup_ms", "reconnect_ms",
            "wire_bytes_per_event", "paced_wire_bytes_per_event",
        ] {
            #expect(report[key] is NSNumber, "missing \(key)")
        }
        let events = (report["events"] as? NSNumber)?.intValue ?? 0
        let backlog = (report["backlog_events"] as? NSNumber)?.intValue ?? 0
        #expect(events > 40 && backlog > 0 && backlog < events)
        #expect(((report["rss_peak_mb"] as? NSNumber)?.doubleValue ?? 0) > 1)
        return report
    }

    @Test("bench measures the agent beside it, or the one --agent names, and says when there is none")
    func agentExecutable() async throws {
        let missing = TestSupport.temporaryDirectory("bench-agent") + "/scanbridge"
        let result = try await TestSupport.onThreadValue {
            Result { try AuditCommandTests.scanbridge(["bench", "--agent", missing, "--seconds", "1"]) }
        }.get()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("\(missing): no agent executable there"), "\(result.output)")
    }

    @Test("bench receiver stores every batch it sends on SQLite and reports rates and p99")
    func receiverOnSQLite() async throws {
        try await Self.receiverBench([])
    }

    @Test(
        "bench receiver on PostgreSQL",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func receiverOnPostgres() async throws {
        try await Self.receiverBench(["--store", try await PostgresTestSupport.freshDatabase("bench")])
    }

    static func receiverBench(_ extra: [String]) async throws {
        let result = try await TestSupport.onThreadValue {
            Result {
                try AuditCommandTests.scanbridge(
                    ["bench", "receiver", "--agents", "4", "--batches", "3", "--events", "5", "--json"] + extra)
            }
        }.get()
        #expect(result.status == 0, "\(result.output)")
        let line = try #require(result.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(report["events"] as? Int == 60 && report["batches"] as? Int == 12 && report["agents"] as? Int == 4)
        for key in ["events_per_s", "batches_per_s", "verify_commit_p50_ms", "verify_commit_p99_ms", "request_p99_ms"] {
            #expect(((report[key] as? NSNumber)?.doubleValue ?? 0) > 0, "missing \(key)")
        }
        #expect(report["store"] as? String == (extra.isEmpty ? "sqlite" : "postgres"))
    }
}
