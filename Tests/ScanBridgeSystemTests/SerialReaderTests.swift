import Foundation
import GRDB
import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeStore
import Testing

@testable import ScanBridgeAgent
@testable import ScanBridgeTestSupport
@testable import ScanBridgeTools

#if canImport(Glibc)
    import Glibc
#endif

/// A serial device runner writing into a real state database, fed through a real pty.
struct SerialHarness {
    let directory = TestSupport.temporaryDirectory("serial")
    let database: StateDatabase
    let outbox: OutboxWriter
    let counters = AgentCounters()

    init() throws {
        database = try StateDatabase(path: directory + "/state.sqlite")
        outbox = OutboxWriter(database: database)
    }

    func runner(
        path: String, framing: AgentConfiguration.Framing? = nil, maxLineBytes: Int = 4096,
        floodWindowMilliseconds: Int = 10_000
    ) throws -> DeviceRunner {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = AgentConfiguration.SerialDevice(
            path: path, framing: framing, baud: 9600, maxLineBytes: maxLineBytes, id: "dev")
        configuration.floodWindowMilliseconds = floodWindowMilliseconds
        configuration.dedupWindowMilliseconds = 0
        return DeviceRunner.serial(
            configuration, catalog: try ProfileCatalog.load(directories: []),
            sink: EventSink(
                outbox: outbox, storage: StorageState(doorbell: Doorbell()), counters: counters, logger: logger,
                metrics: nil),
            registry: DeviceRegistry(database: database), states: nil, logger: logger)
    }

    func events() throws -> [(seq: Int64, type: String, body: String)] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, type, body FROM events ORDER BY seq").map {
                ($0["seq"], $0["type"], String(decoding: [UInt8]($0["body"] as Data), as: UTF8.self))
            }
        }
    }

    func quarantine() throws -> [(code: String, raw: [UInt8])] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT reason_code, raw FROM quarantine ORDER BY received_at_us").map {
                ($0["reason_code"], [UInt8]($0["raw"] as Data))
            }
        }
    }

    func waitForEvents(_ count: Int) async throws -> Bool {
        try await TestSupport.eventually { try events().count >= count }
    }
}

@Suite("Serial reader on a pseudo-terminal", .system)
struct SerialReaderTests {
    @Test("lines, split writes, CR/LF/CRLF become barcode events with raw bytes; seq is gapless")
    func lines() async throws {
        let harness = try SerialHarness()
        let terminal = try TestSupport.terminal()
        // Written before the agent opens the port: pending input is read, not flushed.
        try terminal.write(Array("BEFORE-OPEN\r\n".utf8))
        let runner = try harness.runner(path: terminal.devicePath)
        let task = Task { await runner.run() }
        // Stopped on every way out: a runner left behind would reopen its terminal's path
        // and read what a later test writes to a terminal given the same number.
        defer { runner.source.stop() }
        try terminal.write(Array("]C1010950110153".utf8))
        try await Task.sleep(for: .milliseconds(30))
        try terminal.write(Array("0003\u{1D}10AB\r".utf8))
        try await Task.sleep(for: .milliseconds(30))
        try terminal.write(Array("\nSECOND\nTHIRD\r".utf8))
        #expect(try await harness.waitForEvents(4))
        runner.source.stop()
        await task.value
        let events = try harness.events()
        try #require(events.map(\.seq) == [1, 2, 3, 4])
        #expect(events.allSatisfy { $0.type == "barcode.scanned" })
        #expect(events[0].body.contains(#""raw":"\#(Base64.encode(Array("BEFORE-OPEN".utf8)))""#))
        #expect(events[1].body.contains(#""text":"]C10109501101530003\u001d10AB""#))
        #expect(events[1].body.contains(Base64.encode(Array("]C10109501101530003\u{1D}10AB".utf8))))
        #expect(harness.counters.snapshot.scanned == 4)
    }

    @Test("a tag read counts as observed only once its observation is stored (the demo's drain check relies on it)")
    func observedOnlyOnceStored() async throws {
        let harness = try SerialHarness()
        try await harness.database.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_events BEFORE INSERT ON events
                    BEGIN SELECT RAISE(ABORT, 'simulated I/O error'); END
                    """)
        }
        let terminal = try TestSupport.terminal()
        let runner = try harness.runner(path: terminal.devicePath, framing: .stxHexXor)
        let task = Task { await runner.run() }
        defer {
            runner.source.stop()
            task.cancel()
        }
        try terminal.write(EM4100Frame.frame(id: [0x01, 0x02, 0x03, 0x04, 0x05]))
        let refused = await TestSupport.eventually { harness.counters.snapshot.lastError != nil }
        #expect(refused)
        #expect(harness.counters.snapshot.observedReads == 0, "counted before its observation was stored")
        try await harness.database.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_events") }
        let stored = await TestSupport.eventually { harness.counters.snapshot.observed == 1 }
        #expect(stored)
        #expect(harness.counters.snapshot.observedReads == 1)
        runner.source.stop()
        await task.value
    }

    @Test("the device node removed and restored: the half line is quarantined, reading resumes on the new node")
    func unplugReplug() async throws {
        let harness = try SerialHarness()
        let link = harness.directory + "/ttyTEST0"
        let first = try TestSupport.terminal()
        #expect(symlink(first.devicePath, link) == 0)
        let runner = try harness.runner(path: link)
        let task = Task { await runner.run() }
        defer { runner.source.stop() }
        try first.write(Array("ONE\r\nHALF".utf8))
        #expect(try await harness.waitForEvents(1))
        try await Task.sleep(for: .milliseconds(50))
        unlink(link)
        first.hangUp()
        #expect(try await harness.waitForEvents(2))
        try await Task.sleep(for: .milliseconds(100))
        let second = try TestSupport.terminal()
        #expect(symlink(second.devicePath, link) == 0)
        try second.write(Array("TWO\r\n".utf8))
        #expect(try await harness.waitForEvents(3))
        runner.source.stop()
        await task.value
        let events = try harness.events()
        try #require(events.map(\.type) == ["barcode.scanned", "payload.quarantined", "barcode.scanned"])
        #expect(events[1].body.contains("incomplete"))
        #expect(try harness.quarantine().first?.raw == Array("HALF".utf8))
        #expect(events[2].body.contains(#""text":"TWO""#))
    }

    @Test("a path that does not exist yet is opened as soon as it appears")
    func appearsLater() async throws {
        let harness = try SerialHarness()
        let link = harness.directory + "/ttyLATER"
        let runner = try harness.runner(path: link)
        let task = Task { await runner.run() }
        defer { runner.source.stop() }
        try await Task.sleep(for: .milliseconds(100))
        let terminal = try TestSupport.terminal()
        try terminal.write(Array("LATE\n".utf8))
        #expect(symlink(terminal.devicePath, link) == 0)
        #expect(try await harness.waitForEvents(1, seconds: 1.5))
        runner.source.stop()
        await task.value
    }
}

extension SerialHarness {
    func waitForEvents(_ count: Int, seconds: Double) async throws -> Bool {
        try await TestSupport.eventually(seconds: seconds) { try events().count >= count }
    }
}
