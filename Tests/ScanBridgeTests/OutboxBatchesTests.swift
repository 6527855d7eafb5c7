import GRDB
import ScanBridgeCore
import ScanBridgeStore
import Testing

@testable import ScanBridgeTestSupport

/// The batch bookkeeping the forwarder's build-ahead relies on.
@Suite("Outbox batches", .temporaryDirectory)
struct OutboxBatchesTests {
    static func batch(_ batchSeq: Int64, events: ClosedRange<Int64>) -> StoredBatch {
        StoredBatch(
            batchSeq: batchSeq, firstSeq: events.lowerBound, lastSeq: events.upperBound, eventCount: events.count,
            body: Array("batch \(batchSeq)".utf8), sha256: String(repeating: "\(batchSeq % 10)", count: 64),
            jws: "h..s\(batchSeq)", createdAt: .now())
    }

    static func open() throws -> (StateDatabase, OutboxBatches) {
        let database = try StateDatabase(path: TestSupport.temporaryDirectory("batches") + "/scanbridge.sqlite")
        return (database, OutboxBatches(database: database))
    }

    @Test("an acknowledgement skips its own disk flush but leaves every later commit durable (synchronous=FULL)")
    func acknowledgementLeavesCommitsDurable() throws {
        let (database, batches) = try Self.open()
        try batches.insert(Self.batch(1, events: 1...10))
        try batches.insert(Self.batch(2, events: 11...20))
        try batches.acknowledge(1, at: .now())
        #expect(try batches.batch(1)?.status == .acknowledged)
        #expect(try batches.openBatch()?.batchSeq == 2)
        let synchronous = try database.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2, "the writer connection must be back to FULL after an acknowledgement")
    }

    @Test("a 413 shrink discards the batches stored ahead, never sent, so the chain continues from the smaller batch")
    func shrinkDiscardsBatchesStoredAhead() throws {
        let (_, batches) = try Self.open()
        try batches.insert(Self.batch(1, events: 1...10))
        try batches.insert(Self.batch(2, events: 11...20))
        try batches.shrink(Self.batch(1, events: 1...5))
        #expect(try batches.batch(2) == nil)
        let head = try batches.chainHead()
        #expect(head.batchSeq == 1 && head.lastEventSeq == 5)
        try batches.insert(Self.batch(2, events: 6...10))
        #expect(try batches.openBatch()?.lastSeq == 5)
    }

    @Test("a shrink is refused once a later batch was attempted: its bytes may be upstream")
    func shrinkRefusedAfterALaterAttempt() throws {
        let (_, batches) = try Self.open()
        try batches.insert(Self.batch(1, events: 1...10))
        try batches.insert(Self.batch(2, events: 11...20))
        try batches.recordFailure(2, error: "HTTP 503")
        #expect(throws: StoreError.self) { try batches.shrink(Self.batch(1, events: 1...5)) }
        #expect(try batches.batch(2) != nil)
    }
}
