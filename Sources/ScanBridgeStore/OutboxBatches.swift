import FoundationEssentials
import GRDB
import ScanBridgeCore

/// Batch bookkeeping over the outbox: what the forwarder reads and records.
public struct OutboxBatches: Sendable {
    public let database: StateDatabase

    public init(database: StateDatabase) {
        self.database = database
    }

    /// A batch's bookkeeping with its body and signature (kept apart, see the v3 migration).
    static let selectBatch = "SELECT b.*, d.body, d.jws FROM batches AS b JOIN batch_bodies AS d USING (batch_seq)"

    /// The oldest batch not yet acknowledged (pending or parked): it must go first.
    public func openBatch() throws(StoreError) -> StoredBatch? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: Self.selectBatch
                    + " WHERE b.batch_seq = (SELECT min(batch_seq) FROM batches WHERE status != 'acknowledged')"
            ).map(StoredBatch.init(row:))
        }
    }

    public func batch(_ batchSeq: Int64) throws(StoreError) -> StoredBatch? {
        try read { db in
            try Self.batch(batchSeq, db: db)
        }
    }

    static func batch(_ batchSeq: Int64, db: Database) throws -> StoredBatch? {
        try Row.fetchOne(db, sql: selectBatch + " WHERE b.batch_seq = ?", arguments: [batchSeq])
            .map(StoredBatch.init(row:))
    }

    /// Batches from `batchSeq` on, in order (for export and audit).
    public func batches(from batchSeq: Int64, limit: Int) throws(StoreError) -> [StoredBatch] {
        try read { db in
            try Row.fetchAll(
                db, sql: Self.selectBatch + " WHERE b.batch_seq >= ? ORDER BY b.batch_seq LIMIT ?",
                arguments: [batchSeq, limit]
            ).map(StoredBatch.init(row:))
        }
    }

    public func chainHead() throws(StoreError) -> ChainHead {
        try read { db in try Self.chainHead(db) }
    }

    /// Events not yet in any batch: the backlog the next batch draws from.
    public func unbatchedEvents(after seq: Int64, limit: Int) throws(StoreError) -> [OutboxEvent] {
        // A cursor and the blob read in place: each body is copied once, not three times
        // (row, Data, array) for every event of every batch.
        try read { db in
            var events: [OutboxEvent] = []
            events.reserveCapacity(min(limit, 10_000))
            let rows = try Row.fetchCursor(
                db, sql: "SELECT seq, body, stored_at_us FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [seq, limit])
            while let row = try rows.next() {
                let body = try row.withUnsafeData(atIndex: 1) { data in data.map { [UInt8]($0) } ?? [] }
                events.append(
                    OutboxEvent(
                        seq: row[0], body: body, storedAt: Timestamp(microsecondsSinceEpoch: row[2])))
            }
            return events
        }
    }

    /// How many events wait for a batch (counted up to `limit`: the forwarder only asks whether
    /// a full batch waits) and when the first of them was stored. Both stay O(limit) however
    /// long the backlog: after days offline, a count over every pending row on each batch made
    /// draining crawl.
    public func unbatchedSummary(after seq: Int64, limit: Int) throws(StoreError) -> (count: Int, oldest: Timestamp?) {
        try read { db in
            let count =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM (SELECT 1 FROM events WHERE seq > ? ORDER BY seq LIMIT ?)",
                    arguments: [seq, limit]) ?? 0
            let oldest = try Int64.fetchOne(
                db, sql: "SELECT stored_at_us FROM events WHERE seq > ? ORDER BY seq LIMIT 1", arguments: [seq])
            return (count, oldest.map(Timestamp.init(microsecondsSinceEpoch:)))
        }
    }

    /// Stores a new batch at the head of the chain; refuses one that does not continue it.
    /// The newest stored event of `type` whose body contains `text` (an exact JSON fragment).
    public func lastEvent(ofType type: String, containing text: String) throws(StoreError) -> Int64? {
        do {
            return try database.pool.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT max(seq) FROM events WHERE type = ? AND instr(CAST(body AS TEXT), ?) > 0",
                    arguments: [type, text])
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    public func insert(_ batch: StoredBatch) throws(StoreError) {
        try write { db in
            let head = try Self.chainHead(db)
            guard batch.batchSeq == head.batchSeq + 1, batch.firstSeq == head.lastEventSeq + 1 else {
                throw StoreError.inconsistent(
                    "batch \(batch.batchSeq) (events \(batch.firstSeq)…) does not follow batch \(head.batchSeq) (last event \(head.lastEventSeq))"
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO batches (batch_seq, first_seq, last_seq, event_count, sha256, status, attempts,
                                         last_error, created_at_us)
                    VALUES (?, ?, ?, ?, ?, 'pending', 0, NULL, ?)
                    """,
                arguments: [
                    batch.batchSeq, batch.firstSeq, batch.lastSeq, batch.eventCount, batch.sha256,
                    batch.createdAt.microsecondsSinceEpoch,
                ])
            try db.execute(
                sql: "INSERT INTO batch_bodies (batch_seq, body, jws) VALUES (?, ?, ?)",
                arguments: [batch.batchSeq, Data(batch.body), batch.jws])
        }
    }

    /// Replaces an unacknowledged batch by a smaller one with the same `batch_seq` (after a
    /// 413); the events it no longer holds go back to the backlog. Batches stored ahead of it
    /// were never sent (only the oldest open batch is) and no longer continue the chain, so
    /// they are discarded in the same transaction.
    public func shrink(_ batch: StoredBatch) throws(StoreError) {
        try write { db in
            guard
                let current = try Self.batch(batch.batchSeq, db: db),
                current.status != .acknowledged, current.firstSeq == batch.firstSeq,
                batch.lastSeq < current.lastSeq,
                try Int64.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM batches WHERE batch_seq > ? AND (status != 'pending' OR attempts > 0)",
                    arguments: [batch.batchSeq]) == 0
            else {
                throw StoreError.inconsistent("batch \(batch.batchSeq) cannot be shrunk")
            }
            try db.execute(
                sql: """
                    UPDATE batches SET last_seq = ?, event_count = ?, sha256 = ?, status = 'pending', created_at_us = ?
                    WHERE batch_seq = ?
                    """,
                arguments: [
                    batch.lastSeq, batch.eventCount, batch.sha256, batch.createdAt.microsecondsSinceEpoch,
                    batch.batchSeq,
                ])
            try db.execute(
                sql: "UPDATE batch_bodies SET body = ?, jws = ? WHERE batch_seq = ?",
                arguments: [Data(batch.body), batch.jws, batch.batchSeq])
            try db.execute(sql: "DELETE FROM batch_bodies WHERE batch_seq > ?", arguments: [batch.batchSeq])
            try db.execute(sql: "DELETE FROM batches WHERE batch_seq > ?", arguments: [batch.batchSeq])
        }
    }

    /// Marks a batch acknowledged without waiting for the disk: an acknowledgement a power cut
    /// loses only makes the agent send the batch again, which the receiver answers 2xx
    /// (repeat). The next durable commit (an event, a batch) carries it to disk anyway; while a
    /// backlog drains, this keeps a disk flush off every round trip.
    public func acknowledge(_ batchSeq: Int64, at time: Timestamp) throws(StoreError) {
        do {
            try database.pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                try db.inTransaction {
                    try db.execute(
                        sql: """
                            UPDATE batches SET status = 'acknowledged', acked_at_us = ?, last_error = NULL
                            WHERE batch_seq = ?
                            """,
                        arguments: [time.microsecondsSinceEpoch, batchSeq])
                    return .commit
                }
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    public func recordFailure(_ batchSeq: Int64, error: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE batches SET attempts = attempts + 1, last_error = ? WHERE batch_seq = ?",
                arguments: [error, batchSeq])
        }
    }

    public func park(_ batchSeq: Int64, error: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql:
                    "UPDATE batches SET status = 'parked', attempts = attempts + 1, last_error = ? WHERE batch_seq = ?",
                arguments: [error, batchSeq])
        }
    }

    /// Puts parked batches back in line (the operator fixed the cause upstream).
    @discardableResult
    public func unpark() throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "UPDATE batches SET status = 'pending' WHERE status = 'parked'")
            return db.changesCount
        }
    }

    /// Deletes acknowledged events and batches acknowledged before `cutoff` (the receiver
    /// holds them), always keeping the newest acknowledged batch, which anchors the chain and
    /// says how far acknowledgement went.
    @discardableResult
    public func prune(acknowledgedBefore cutoff: Timestamp) throws(StoreError) -> (events: Int, batches: Int) {
        try write { db in
            guard
                let newest = try Int64.fetchOne(
                    db, sql: "SELECT max(batch_seq) FROM batches WHERE status = 'acknowledged'"),
                let through = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT max(batch_seq) AS batch_seq, max(last_seq) AS last_seq FROM batches
                        WHERE status = 'acknowledged' AND acked_at_us < ? AND batch_seq < ?
                        """, arguments: [cutoff.microsecondsSinceEpoch, newest]),
                let batchSeq = through["batch_seq"] as Int64?, let lastSeq = through["last_seq"] as Int64?
            else { return (0, 0) }
            try db.execute(sql: "DELETE FROM events WHERE seq <= ?", arguments: [lastSeq])
            let events = db.changesCount
            try db.execute(sql: "DELETE FROM batch_bodies WHERE batch_seq <= ?", arguments: [batchSeq])
            try db.execute(sql: "DELETE FROM batches WHERE batch_seq <= ?", arguments: [batchSeq])
            return (events, db.changesCount)
        }
    }

    private static func chainHead(_ db: Database) throws -> ChainHead {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT batch_seq, sha256, last_seq FROM batches ORDER BY batch_seq DESC LIMIT 1")
        else { return .genesis }
        return ChainHead(batchSeq: row["batch_seq"], sha256: row["sha256"], lastEventSeq: row["last_seq"])
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try database.pool.read(body) } catch { throw StoreError.classify(error, path: database.path) }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try database.pool.write(body) } catch { throw StoreError.classify(error, path: database.path) }
    }
}

extension StoredBatch {
    init(row: Row) {
        self.init(
            batchSeq: row["batch_seq"], firstSeq: row["first_seq"], lastSeq: row["last_seq"],
            eventCount: row["event_count"], body: [UInt8](row["body"] as Data), sha256: row["sha256"], jws: row["jws"],
            status: Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
            lastError: row["last_error"], createdAt: Timestamp(microsecondsSinceEpoch: row["created_at_us"]),
            acknowledgedAt: (row["acked_at_us"] as Int64?).map(Timestamp.init(microsecondsSinceEpoch:)))
    }
}
