import Foundation
import GRDB
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeStore
import ScanBridgeTools
import ScanBridgeUpstream
import ScanBridgeWire
import Synchronization
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Storage full", .system)
struct StorageFullTests {
    @Test(
        "a full store: clear alert, nothing counted that is not stored, no corruption, full recovery once acknowledged data can be pruned"
    )
    func fullAndRecovered() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key, fallback: .status(503))
        let port = receiver.port
        let directory = TestSupport.temporaryDirectory("full")
        let terminal = try TestSupport.terminal()
        var configuration = AgentConfiguration(stateDirectory: directory, signingKeyPath: holder.directory + "/key.jwk")
        configuration.stateMaxMegabytes = 1
        var upstream = AgentConfiguration.Upstream(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        upstream.batchLimits = .init(maxEvents: 100, maxBytes: 65_536, maxAgeMilliseconds: 20)
        upstream.retryCapMilliseconds = 300
        configuration.upstream = upstream
        configuration.devices = [.init(path: terminal.devicePath, baud: 115_200, id: "pty")]
        var logger = Logger(label: "full")
        logger.logLevel = .critical
        let agent = try Agent(configuration: configuration, logger: logger)
        let running = Task { try await agent.run() }
        defer { running.cancel() }

        let total = 6000
        let writer = TestSupport.onThread {
            for index in 0..<total {
                let line =
                    "]C101" + BarcodeSimulator.withCheckDigit(String(format: "%013d", index)) + "10LOT-7\u{1D}91"
                    + String(repeating: "X", count: 60) + "\r\n"
                try? terminal.write(Array(line.utf8))
            }
        }

        let full = await TestSupport.eventually(seconds: 30) { agent.counters.snapshot.lastError == "storage full" }
        #expect(full, "the quota was never reached: \(agent.counters.snapshot)")
        let whileFull = try DatabaseQueue(
            path: configuration.databasePath,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }())
        let integrity = try await whileFull.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        let stored = try await whileFull.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE type = 'barcode.scanned'") ?? 0
        }
        let maxSeq = try await whileFull.read { db in try Int.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0 }
        #expect(stored < total, "the store should have filled before all scans arrived")
        #expect(agent.counters.snapshot.scanned == stored, "a scan was counted as received without being stored")
        #expect(maxSeq == stored)
        try whileFull.close()

        receiver.fallback = .pass
        let drained = await TestSupport.eventually(seconds: 90) {
            let counts = agent.counters.snapshot
            return counts.scanned == total && counts.acknowledged == counts.stored
        }
        if !drained { terminal.hangUp() }  // unblocks the writer when the agent stopped reading
        await writer.value
        running.cancel()
        try await running.value
        await receiver.stop()
        #expect(drained, "did not recover: \(agent.counters.snapshot)")

        let texts = try await DatabaseQueue(path: receiver.store.path).read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body FROM receiver_events ORDER BY seq").map {
                String(decoding: [UInt8]($0["body"] as Data), as: UTF8.self)
            }
        }
        #expect(texts.count == total)
        let scanned = Set(
            texts.compactMap { body in
                body.range(of: #""text":"[^"]*""#, options: .regularExpression).map { String(body[$0]) }
            })
        #expect(scanned.count == total, "every line exactly once")
        var audit = ChainAudit(trusted: TrustedKeys([holder.key.publicJWK]))
        for batch in try receiver.store.batches(agentID: agent.agentID) {
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
        }
        #expect(audit.result.lastEventSeq == Int64(total))
    }

    @Test("SIGTERM while storage is full: the agent exits promptly, nothing counted that is not stored")
    func stopWhileFull() async throws {
        let directory = TestSupport.temporaryDirectory("full-stop")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let terminal = try TestSupport.terminal()
        let config = directory + "/scanbridge.yaml"
        try """
        state_dir: \(directory)/state
        state_max_mb: 1
        discovery: false
        status: {listen: "off"}
        devices:
          - {path: \(terminal.devicePath), baud: 115200, id: pty}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = ["run", "--config", config]
        let log = directory + "/agent.log"
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // No upstream: nothing is ever acknowledged or pruned, so the quota is reached and stays.
        let stopWriting = Mutex(false)
        let writer = TestSupport.onThread {
            for index in 0..<6000 where !stopWriting.withLock({ $0 }) {
                let line =
                    "]C101" + BarcodeSimulator.withCheckDigit(String(format: "%013d", index)) + "10LOT-7\u{1D}91"
                    + String(repeating: "X", count: 60) + "\r\n"
                if (try? terminal.write(Array(line.utf8))) == nil { return }
            }
        }
        let full = await TestSupport.eventually(seconds: 60) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("storage full")
        }
        #expect(full, "the quota was never reached")
        kill(process.processIdentifier, SIGTERM)
        let stopped = ContinuousClock.now
        let exited = await TestSupport.eventually(seconds: 10) { !process.isRunning }
        let took = ContinuousClock.now - stopped
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // The agent stopped reading when storage filled, so the writer may be blocked on a full
        // terminal buffer: reading the device side frees it, and it stops at the next line.
        stopWriting.withLock { $0 = true }
        let drain = open(terminal.devicePath, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        var sink = [UInt8](repeating: 0, count: 65536)
        let writerDone = Mutex(false)
        let waiter = Task {
            await writer.value
            writerDone.withLock { $0 = true }
        }
        while !writerDone.withLock({ $0 }) {
            _ = sink.withUnsafeMutableBytes { read(drain, $0.baseAddress, $0.count) }
            try await Task.sleep(for: .milliseconds(10))
        }
        await waiter.value
        close(drain)
        terminal.hangUp()
        #expect(exited, "still running 10 s after SIGTERM")
        #expect(took < .seconds(5), "exit took \(took)")
        let database = try DatabaseQueue(path: directory + "/state/scanbridge.sqlite")
        let (integrity, count, maxSeq) = try await database.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0,
                try Int.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0
            )
        }
        #expect(integrity == "ok")
        #expect(count == maxSeq && count > 0, "the outbox is gapless")
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!text.contains("Fatal error"), "\(text.suffix(2000))")
    }
}
