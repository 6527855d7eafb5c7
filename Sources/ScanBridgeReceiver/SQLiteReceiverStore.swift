import Foundation
import GRDB
import ScanBridgeCore
import ScanBridgeWire

/// The embedded receiver's store: one SQLite file (the default `--store FILE`).
public typealias ReceiverStore = SQLiteReceiverStore

/// The reference receiver's SQLite store: batches with their exact bytes and signatures,
/// each event once, enrolled keys, and the feed.
///
/// Every write is one IMMEDIATE transaction, so even two processes sharing the file take
/// turns: acceptance, the chain check and the feed position happen under the write lock, and
/// the order of feed positions is the order of commits.
public final class SQLiteReceiverStore: ReceiverStorage {
    public let pool: DatabasePool
    public let path: String

    public init(path: String) throws(ReceiverStoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .unavailable(path, reason: "cannot open the SQLite file (\(Self.reason(error)))")
        }
        do {
            try pool.writeWithoutTransaction { db in try SQLiteReceiverSchema.migrate(db) }
        } catch {
            throw .migrationFailed(path, reason: Self.reason(error))
        }
    }

    // MARK: Acceptance

    public func accept(
        _ batch: WireBatch, body: [UInt8], sha256: String, signature: String, kid: String,
        handover: AcceptedHandover?
    ) async throws(ReceiverStoreError) -> ReceiverAcceptance {
        return try await writing { db in
            try Self.accept(
                db, batch: batch, sha256: sha256, body: body, signature: signature, kid: kid, handover: handover)
        }
    }

    static func accept(
        _ db: Database, batch: WireBatch, sha256: String, body: [UInt8], signature: String, kid: String,
        handover: AcceptedHandover?
    ) throws -> ReceiverAcceptance {
        let head = try AgentHead.fetch(db, agentID: batch.agentID)
        if let handedOverAt = try Int64.fetchOne(
            db, sql: "SELECT retired_after_batch_seq FROM receiver_keys WHERE kid = ?", arguments: [kid]),
            batch.batchSeq > handedOverAt
        {
            return .keyRetired(kid: kid, handedOverAt: handedOverAt)
        }
        if batch.batchSeq <= head.position.batchSeq {
            let existing = try String.fetchOne(
                db, sql: "SELECT sha256 FROM receiver_batches WHERE agent_id = ? AND batch_seq = ?",
                arguments: [batch.agentID, batch.batchSeq])
            return existing == sha256 ? .repeated : .conflict(expectedBatchSeq: head.position.batchSeq + 1)
        }
        let next: ChainPosition
        do {
            next = try ChainViolation.check(batch, sha256: sha256, following: head.position)
        } catch ChainViolation.outOfOrder(let expected, _) {
            return .outOfOrder(expectedBatchSeq: expected)
        } catch {
            return .chainBroken(expectedBatchSeq: head.position.batchSeq + 1, reason: error.description)
        }
        if let handover,
            let owner = try String.fetchOne(
                db, sql: "SELECT agent_id FROM receiver_keys WHERE kid = ?", arguments: [handover.newKey.thumbprint]),
            owner != batch.agentID
        {
            return .handoverRefused(
                expectedBatchSeq: head.position.batchSeq + 1,
                reason: "the hand-over names key \(handover.newKey.thumbprint), enrolled to agent \(owner)")
        }
        try ReceiverEventRows.insert(batch, into: db)
        // Under the write lock, max + 1 is the commit order.
        let position =
            try Int64.fetchOne(db, sql: "SELECT coalesce(max(feed_position), 0) + 1 FROM receiver_batches") ?? 1
        try db.execute(
            sql: """
                INSERT INTO receiver_batches (agent_id, batch_seq, sha256, prev_sha256, first_seq, last_seq, body,
                                              jws, kid, received_at, feed_position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                batch.agentID, batch.batchSeq, sha256, batch.previousSHA256, batch.events.first?.seq,
                batch.events.last?.seq, Data(body), signature, kid, Timestamp.now().iso8601, position,
            ])
        var updated = head
        updated.advance(to: next, with: batch)
        try updated.save(db)
        if let handover {
            let now = Timestamp.now().iso8601
            for key in [handover.oldKey, handover.newKey] {
                try db.execute(
                    sql: """
                        INSERT INTO receiver_keys (kid, agent_id, x, enrolled_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (kid) DO NOTHING
                        """, arguments: [key.thumbprint, batch.agentID, key.x, now])
            }
            try db.execute(
                sql: """
                    UPDATE receiver_keys SET retired_after_batch_seq = ?, replaced_by = ?
                    WHERE kid = ? AND retired_after_batch_seq IS NULL
                    """, arguments: [batch.batchSeq, handover.newKey.thumbprint, handover.oldKey.thumbprint])
        }
        return .accepted
    }

    // MARK: Keys

    public func enrolledKey(kid: String) async throws(ReceiverStoreError) -> EnrolledKey? {
        try await reading { db in
            try Row.fetchOne(db, sql: "SELECT * FROM receiver_keys WHERE kid = ?", arguments: [kid]).flatMap(
                Self.enrolledKey)
        }
    }

    public func enrol(_ keys: [PublicKeyJWK], agentID: String) async throws(ReceiverStoreError) -> [EnrolmentResult] {
        try await writing { db in
            try db.execute(
                sql: "INSERT INTO receiver_agents (agent_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                arguments: [agentID, Timestamp.now().iso8601])
            var results: [EnrolmentResult] = []
            for key in keys {
                if let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM receiver_keys WHERE kid = ?", arguments: [key.thumbprint]),
                    let existing = Self.enrolledKey(row)
                {
                    guard existing.agentID == agentID else {
                        throw ReceiverStoreError.keyEnrolledToAnotherAgent(
                            kid: key.thumbprint, agentID: existing.agentID)
                    }
                    guard existing.revokedAt == nil else {
                        throw ReceiverStoreError.keyRevoked(kid: key.thumbprint, agentID: agentID)
                    }
                    results.append(.alreadyEnrolled(kid: key.thumbprint))
                    continue
                }
                try db.execute(
                    sql: "INSERT INTO receiver_keys (kid, agent_id, x, enrolled_at) VALUES (?, ?, ?, ?)",
                    arguments: [key.thumbprint, agentID, key.x, Timestamp.now().iso8601])
                results.append(.enrolled(kid: key.thumbprint))
            }
            return results
        }
    }

    public func revoke(kid: String) async throws(ReceiverStoreError) -> EnrolledKey {
        try await writing { db in
            try db.execute(
                sql: "UPDATE receiver_keys SET revoked_at = ? WHERE kid = ? AND revoked_at IS NULL",
                arguments: [Timestamp.now().iso8601, kid])
            guard
                let key = try Row.fetchOne(db, sql: "SELECT * FROM receiver_keys WHERE kid = ?", arguments: [kid])
                    .flatMap(Self.enrolledKey)
            else { throw ReceiverStoreError.unknownKey(kid: kid) }
            return key
        }
    }

    public func enrolledKeys() async throws(ReceiverStoreError) -> [EnrolledKey] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM receiver_keys ORDER BY agent_id, enrolled_at, kid")
                .compactMap(Self.enrolledKey)
        }
    }

    static func enrolledKey(_ row: Row) -> EnrolledKey? {
        guard let key = PublicKeyJWK(x: row["x"]) else { return nil }
        return EnrolledKey(
            key: key, agentID: row["agent_id"], enrolledAt: row["enrolled_at"], revokedAt: row["revoked_at"],
            retiredAfterBatchSeq: row["retired_after_batch_seq"], replacedBy: row["replaced_by"])
    }

    // MARK: Agents

    public func agentSummaries() async throws(ReceiverStoreError) -> [AgentSummary] {
        try await reading { db in
            try AgentHead.fetchAll(db).map { try $0.summary(db) }
        }
    }

    public func agentSummary(_ agentID: String) async throws(ReceiverStoreError) -> AgentSummary? {
        try await reading { db in try Self.summary(db, agentID: agentID) }
    }

    /// One agent's summary, synchronously; nil before its first batch (tests and the demo).
    public func agent(_ agentID: String) throws -> AgentSummary? {
        try pool.read { db in
            guard let summary = try Self.summary(db, agentID: agentID), summary.lastBatchSeq > 0 else { return nil }
            return summary
        }
    }

    static func summary(_ db: Database, agentID: String) throws -> AgentSummary? {
        guard let head = try AgentHead.fetchOne(db, agentID: agentID) else { return nil }
        return try head.summary(db)
    }

    // MARK: Feed and audit

    public func events(after cursor: FeedCursor, limit: Int) async throws(ReceiverStoreError) -> [FeedEntry] {
        try await reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT b.feed_position, e.seq, e.agent_id, e.batch_seq, e.body
                    FROM receiver_batches b
                    JOIN receiver_events e ON e.agent_id = b.agent_id AND e.seq BETWEEN b.first_seq AND b.last_seq
                    WHERE b.feed_position >= ? AND (b.feed_position > ? OR e.seq > ?)
                    ORDER BY b.feed_position, e.seq
                    LIMIT ?
                    """, arguments: [cursor.position, cursor.position, cursor.seq, limit]
            ).map { row in
                FeedEntry(
                    cursor: FeedCursor(position: row[0], seq: row[1]), agentID: row[2], batchSeq: row[3],
                    event: [UInt8](row[4] as Data))
            }
        }
    }

    public func agentIDsWithBatches() async throws(ReceiverStoreError) -> [String] {
        try await reading { db in try Self.agentIDs(db) }
    }

    public func batches(agentID: String, after batchSeq: Int64, limit: Int) async throws(ReceiverStoreError)
        -> [ReceivedBatch]
    {
        try await reading { db in try Self.batches(db, agentID: agentID, after: batchSeq, limit: limit) }
    }

    public func ping() async throws(ReceiverStoreError) {
        try await reading { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func close() async {
        try? pool.close()
    }

    /// Stored batches of one agent in order, for audit (synchronously).
    public func batches(agentID: String) throws -> [(batchSeq: Int64, body: [UInt8], signature: String)] {
        try pool.read { db in
            try Self.batches(db, agentID: agentID, after: 0, limit: Int.max).map {
                ($0.batchSeq, $0.body, $0.signature)
            }
        }
    }

    public func eventCount(agentID: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM receiver_events WHERE agent_id = ?", arguments: [agentID])
                ?? 0
        }
    }

    static func agentIDs(_ db: Database) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT agent_id FROM receiver_agents WHERE last_batch_seq > 0 ORDER BY agent_id")
    }

    static func batches(_ db: Database, agentID: String, after batchSeq: Int64, limit: Int) throws -> [ReceivedBatch] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT batch_seq, body, jws FROM receiver_batches WHERE agent_id = ? AND batch_seq > ?
                ORDER BY batch_seq LIMIT ?
                """,
            arguments: [agentID, batchSeq, limit == Int.max ? -1 : limit]
        ).map { ReceivedBatch(batchSeq: $0["batch_seq"], body: [UInt8]($0["body"] as Data), signature: $0["jws"]) }
    }

    // MARK: Plumbing

    func writing<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T)
        async throws(ReceiverStoreError)
        -> T
    {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try work(db)
                    return .commit
                }
                return result!
            }
        } catch let error as ReceiverStoreError {
            throw error
        } catch {
            throw .unavailable(path, reason: Self.reason(error))
        }
    }

    func reading<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T)
        async throws(ReceiverStoreError)
        -> T
    {
        do {
            return try await pool.read(work)
        } catch {
            throw .unavailable(path, reason: Self.reason(error))
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? "\(error)"
    }
}

/// An agent's row: where its chain stands and what the summary needs, kept up to date in the
/// transaction that accepts each batch, so listing agents never scans their events.
struct AgentHead {
    var agentID: String
    var position: ChainPosition
    var lastOccurredAt: String?
    var lastOccurredMicroseconds: Int64?
    var eventCount: Int64

    static func fetch(_ db: Database, agentID: String) throws -> AgentHead {
        try fetchOne(db, agentID: agentID)
            ?? AgentHead(
                agentID: agentID, position: .start, lastOccurredAt: nil, lastOccurredMicroseconds: nil, eventCount: 0)
    }

    static func fetchOne(_ db: Database, agentID: String) throws -> AgentHead? {
        try Row.fetchOne(db, sql: "SELECT * FROM receiver_agents WHERE agent_id = ?", arguments: [agentID]).map(
            Self.init)
    }

    static func fetchAll(_ db: Database) throws -> [AgentHead] {
        try Row.fetchAll(db, sql: "SELECT * FROM receiver_agents ORDER BY agent_id").map(Self.init)
    }

    init(
        agentID: String, position: ChainPosition, lastOccurredAt: String?, lastOccurredMicroseconds: Int64?,
        eventCount: Int64
    ) {
        self.agentID = agentID
        self.position = position
        self.lastOccurredAt = lastOccurredAt
        self.lastOccurredMicroseconds = lastOccurredMicroseconds
        self.eventCount = eventCount
    }

    init(_ row: Row) {
        self.init(
            agentID: row["agent_id"],
            position: ChainPosition(
                batchSeq: row["last_batch_seq"], sha256: row["last_sha256"], lastEventSeq: row["last_event_seq"]),
            lastOccurredAt: row["last_occurred_at"], lastOccurredMicroseconds: row["last_occurred_us"],
            eventCount: row["event_count"])
    }

    mutating func advance(to next: ChainPosition, with batch: WireBatch) {
        position = next
        eventCount += Int64(batch.events.count)
        for event in batch.events {
            guard let time = Timestamp(iso8601: event.occurredAt)?.microsecondsSinceEpoch else { continue }
            if time > lastOccurredMicroseconds ?? .min {
                lastOccurredMicroseconds = time
                lastOccurredAt = event.occurredAt
            }
        }
    }

    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO receiver_agents (agent_id, last_batch_seq, last_sha256, last_event_seq, last_occurred_at,
                                             last_occurred_us, event_count, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (agent_id) DO UPDATE SET
                    last_batch_seq = excluded.last_batch_seq, last_sha256 = excluded.last_sha256,
                    last_event_seq = excluded.last_event_seq, last_occurred_at = excluded.last_occurred_at,
                    last_occurred_us = excluded.last_occurred_us, event_count = excluded.event_count
                """,
            arguments: [
                agentID, position.batchSeq, position.sha256, position.lastEventSeq, lastOccurredAt,
                lastOccurredMicroseconds, eventCount, Timestamp.now().iso8601,
            ])
    }

    /// Gaps are looked for only when the count of stored events says there are some.
    func summary(_ db: Database) throws -> AgentSummary {
        var gaps: [[Int64]] = []
        if eventCount != position.lastEventSeq {
            gaps = try Row.fetchAll(
                db,
                sql: """
                    SELECT prev + 1 AS gap_from, seq - 1 AS gap_to FROM (
                        SELECT seq, coalesce(lag(seq) OVER (ORDER BY seq), 0) AS prev
                        FROM receiver_events WHERE agent_id = ?)
                    WHERE seq > prev + 1
                    """, arguments: [agentID]
            ).map { [$0["gap_from"] as Int64, $0["gap_to"] as Int64] }
        }
        return AgentSummary(
            agentID: agentID, lastBatchSeq: position.batchSeq, lastEventSeq: position.lastEventSeq,
            lastOccurredAt: lastOccurredAt, gaps: gaps)
    }
}
