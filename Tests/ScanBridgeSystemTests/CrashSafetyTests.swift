import Foundation
import GRDB
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeStore
import ScanBridgeTools
import ScanBridgeWire
import Synchronization
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The real `scanbridge run` process, killed with SIGKILL at random moments while a pty
/// writer keeps scanning and a loopback receiver takes its batches.
@Suite("Crash safety of the agent process", .system)
struct CrashSafetyTests {
    static var iterations: Int {
        Int(ProcessInfo.processInfo.environment["SCANBRIDGE_CRASH_ITERATIONS"] ?? "") ?? 200
    }

    struct Snapshot {
        var events: [Int64: [UInt8]]
        var batches: [Int64: [UInt8]]
        var signatures: [Int64: String]
    }

    static func snapshot(_ path: String) throws -> Snapshot {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            var events: [Int64: [UInt8]] = [:]
            // Killed before its first migration committed: the file exists, the schema not yet
            // (each migration is one transaction, so there is nothing half-made to check).
            guard try db.tableExists("events") else { return Snapshot(events: [:], batches: [:], signatures: [:]) }
            for row in try Row.fetchAll(db, sql: "SELECT seq, body FROM events") {
                events[row["seq"]] = [UInt8](row["body"] as Data)
            }
            var batches: [Int64: [UInt8]] = [:]
            var signatures: [Int64: String] = [:]
            // Killed between migrations: batch_bodies (v3) not made yet. The agent forwards only
            // after every migration, so no batch can exist then.
            guard try db.tableExists("batch_bodies") else {
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM batches") ?? 0
                guard count == 0 else {
                    throw DatabaseError(message: "\(count) batches in a database not migrated to v3")
                }
                return Snapshot(events: events, batches: [:], signatures: [:])
            }
            for row in try Row.fetchAll(db, sql: "SELECT batch_seq, body, jws FROM batch_bodies") {
                batches[row["batch_seq"]] = [UInt8](row["body"] as Data)
                signatures[row["batch_seq"]] = row["jws"]
            }
            return Snapshot(events: events, batches: batches, signatures: signatures)
        }
    }

    static func launch(config: String, log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = ["run", "--config", config]
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCANBRIDGE_") }
        environment["SCANBRIDGE_LOG_LEVEL"] = "warning"
        process.environment = environment
        try process.run()
        return process
    }

    @Test(
        "SIGKILL at random moments: nothing committed is lost, seq has no gap, batches are resent byte-identical, each event arrives once"
    )
    func killNine() async throws {
        #expect(
            FileManager.default.isExecutableFile(atPath: TestSupport.executable),
            "build the scanbridge executable first")
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let port = receiver.port
        let directory = TestSupport.temporaryDirectory("crash")
        let terminal = try TestSupport.terminal()
        let config = directory + "/scanbridge.yaml"
        try """
        state_dir: \(directory)/state
        discovery: false
        signing_key: \(holder.directory)/key.jwk
        upstream:
          url: http://127.0.0.1:\(port)/v1/scan-batches
          batch_max_events: 20
          batch_max_age_ms: 20
          retry_cap_ms: 200
        devices:
          - path: \(terminal.devicePath)
            framing: lines
            baud: 115200
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let database = directory + "/state/scanbridge.sqlite"
        let log = directory + "/agent.log"

        let writing = Mutex(true)
        let writer = TestSupport.onThread {
            var index = 0
            while writing.withLock({ $0 }) {
                let line = "]C101" + BarcodeSimulator.withCheckDigit(String(format: "%013d", index)) + "\r\n"
                try? terminal.write(Array(line.utf8))
                index += 1
                usleep(2000)
            }
        }

        var generator = SplitMix64(seed: UInt64(Timestamp.now().microsecondsSinceEpoch))
        var previous: Snapshot?
        for iteration in 0..<Self.iterations {
            let process = try Self.launch(config: config, log: log)
            // Anywhere from start-up (migrations, key loading) to steady ingest and forwarding.
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            guard FileManager.default.fileExists(atPath: database) else { continue }
            let now = try Self.snapshot(database)
            let maxSeq = now.events.keys.max() ?? 0
            #expect(now.events.count == Int(maxSeq), "iteration \(iteration): seq has a gap")
            if let previous {
                for (seq, body) in previous.events {
                    #expect(
                        now.events[seq] == body, "iteration \(iteration): committed event \(seq) changed or vanished")
                }
                for (batchSeq, body) in previous.batches {
                    #expect(
                        now.batches[batchSeq] == body,
                        "iteration \(iteration): batch \(batchSeq) was not kept byte-identical")
                    #expect(now.signatures[batchSeq] == previous.signatures[batchSeq])
                }
            }
            previous = now
        }
        // One last run drains everything (the writer may be blocked on a full pty until it
        // reads), then stops gracefully on SIGTERM.
        writing.withLock { $0 = false }
        let final = try Self.launch(config: config, log: log)
        await writer.value
        let agentID =
            try await DatabaseQueue(path: database).read { db in
                try String.fetchOne(db, sql: "SELECT agent_id FROM agent")
            } ?? ""
        // The backlog of hundreds of runs drains at whatever pace a busy CI box allows: wait
        // while the receiver keeps gaining events, fail only when it stalls for 45 s.
        // Drained means the agent has also read what the terminal still buffered when the
        // writer stopped: the receiver holds every committed event, and no event has been
        // committed for two seconds.
        var drained = false
        var lastReceived = -1
        var lastCommitted = -1
        var lastProgress = ContinuousClock.now
        var lastCommit = ContinuousClock.now
        while ContinuousClock.now - lastProgress < .seconds(45) {
            let committed = try Self.snapshot(database).events.count
            let received = try receiver.store.eventCount(agentID: agentID)
            if committed != lastCommitted {
                lastCommitted = committed
                lastCommit = .now
            }
            if committed > 0 && received == committed && ContinuousClock.now - lastCommit >= .seconds(2) {
                drained = true
                break
            }
            if received != lastReceived {
                lastReceived = received
                lastProgress = .now
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        kill(final.processIdentifier, SIGTERM)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0, "graceful shutdown should exit 0")
        await receiver.stop()
        // The test's directory goes with the test: the agent's last words travel in the message.
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(30)
        #expect(
            drained,
            "the receiver did not get every committed event; the agent's log ends:\n\(tail.joined(separator: "\n"))")

        let outbox = try Self.snapshot(database)
        let received = try await DatabaseQueue(path: receiver.store.path).read { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, body FROM receiver_events WHERE agent_id = ? ORDER BY seq", arguments: [agentID]
            )
            .map { (seq: $0["seq"] as Int64, body: [UInt8]($0["body"] as Data)) }
        }
        #expect(received.map(\.seq) == Array(1...Int64(outbox.events.count)))
        #expect(
            received.allSatisfy { outbox.events[$0.seq] == $0.body }, "received events differ from the outbox bytes")
        var audit = ChainAudit(trusted: TrustedKeys([holder.key.publicJWK]))
        for batch in try receiver.store.batches(agentID: agentID) {
            #expect(
                outbox.batches[batch.batchSeq] == batch.body, "batch \(batch.batchSeq) differs from the agent's copy")
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
        }
        #expect(audit.result.events == outbox.events.count)
        #expect(outbox.batches.count >= Self.iterations / 2, "too few batches to have exercised the forwarder")
        let texts = outbox.events.values.map { String(decoding: $0, as: UTF8.self) }
            .compactMap { text in
                text.range(of: #""text":"[^"]*""#, options: .regularExpression).map { String(text[$0]) }
            }
        #expect(Set(texts).count == texts.count, "a scan was stored twice")
    }
}
