import Foundation
import GRDB
import ScanBridgeCore

/// The reference receiver's SQLite store: batches with their exact bytes and signatures,
/// and each event once.
///
/// Acceptance and the chain check happen in one write transaction, so two requests carrying
/// the same batch cannot both store it.
public final class ReceiverStore: Sendable {
    public enum Acceptance: Sendable, Equatable {
        case accepted
        case repeated
        case conflict(expectedBatchSeq: Int64)
        case outOfOrder(expectedBatchSeq: Int64)
        case chainBroken(expectedBatchSeq: Int64, reason: String)
    }

    public struct AgentSummary: Sendable, Equatable {
        public var agentID: String
        public var lastBatchSeq: Int64
        public var lastEventSeq: Int64
        public var lastOccurredAt: String?
        public var gaps: [[Int64]]
    }

    public let pool: DatabasePool
    public let path: String

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("receiver-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE receiver_batches (
                        agent_id TEXT NOT NULL,
                        batch_seq INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        prev_sha256 TEXT,
                        first_seq INTEGER NOT NULL,
                        last_seq INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        jws TEXT NOT NULL,
                        kid TEXT NOT NULL,
                        received_at TEXT NOT NULL,
                        PRIMARY KEY (agent_id, batch_seq)
                    );
                    CREATE TABLE receiver_events (
                        agent_id TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        occurred_at TEXT NOT NULL,
                        batch_seq INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (agent_id, seq)
                    );
                    """)
        }
        try migrator.migrate(pool)
    }

    public func accept(_ batch: WireBatch, body: [UInt8], signature: String, kid: String) throws -> Acceptance {
        let sha256 = BatchBody.sha256Hex(body)
        return try pool.write { db in
            if let existing = try String.fetchOne(
                db, sql: "SELECT sha256 FROM receiver_batches WHERE agent_id = ? AND batch_seq = ?",
                arguments: [batch.agentID, batch.batchSeq])
            {
                let head = try Self.position(db, agentID: batch.agentID)
                return existing == sha256 ? .repeated : .conflict(expectedBatchSeq: head.batchSeq + 1)
            }
            let head = try Self.position(db, agentID: batch.agentID)
            do {
                _ = try ChainViolation.check(batch, sha256: sha256, following: head)
            } catch ChainViolation.outOfOrder(let expected, _) {
                return .outOfOrder(expectedBatchSeq: expected)
            } catch let violation as ChainViolation {
                return .chainBroken(expectedBatchSeq: head.batchSeq + 1, reason: violation.description)
            }
            try db.execute(
                sql: """
                    INSERT INTO receiver_batches (agent_id, batch_seq, sha256, prev_sha256, first_seq, last_seq, body,
                                                  jws, kid, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    batch.agentID, batch.batchSeq, sha256, batch.previousSHA256, batch.events.first?.seq,
                    batch.events.last?.seq, Data(body), signature, kid, Timestamp.now().iso8601,
                ])
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO receiver_events (agent_id, seq, id, type, occurred_at, batch_seq, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for event in batch.events {
                try insert.execute(arguments: [
                    batch.agentID, event.seq, event.id, event.type, event.occurredAt, batch.batchSeq, Data(event.bytes),
                ])
            }
            return .accepted
        }
    }

    public func agent(_ agentID: String) throws -> AgentSummary? {
        try pool.read { db in
            let head = try Self.position(db, agentID: agentID)
            guard head.batchSeq > 0 else { return nil }
            let lastOccurred = try String.fetchOne(
                db, sql: "SELECT max(occurred_at) FROM receiver_events WHERE agent_id = ?", arguments: [agentID])
            let gaps = try Row.fetchAll(
                db,
                sql: """
                    SELECT prev + 1 AS gap_from, seq - 1 AS gap_to FROM (
                        SELECT seq, coalesce(lag(seq) OVER (ORDER BY seq), 0) AS prev
                        FROM receiver_events WHERE agent_id = ?)
                    WHERE seq > prev + 1
                    """, arguments: [agentID]
            ).map { [$0["gap_from"] as Int64, $0["gap_to"] as Int64] }
            return AgentSummary(
                agentID: agentID, lastBatchSeq: head.batchSeq, lastEventSeq: head.lastEventSeq,
                lastOccurredAt: lastOccurred, gaps: gaps)
        }
    }

    public func agentIDs() throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT agent_id FROM receiver_batches ORDER BY agent_id")
        }
    }

    /// Stored batches of one agent in order, for audit.
    public func batches(agentID: String) throws -> [(batchSeq: Int64, body: [UInt8], signature: String)] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT batch_seq, body, jws FROM receiver_batches WHERE agent_id = ? ORDER BY batch_seq",
                arguments: [agentID]
            ).map { ($0["batch_seq"], [UInt8]($0["body"] as Data), $0["jws"]) }
        }
    }

    public func eventCount(agentID: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM receiver_events WHERE agent_id = ?", arguments: [agentID])
                ?? 0
        }
    }

    static func position(_ db: Database, agentID: String) throws -> ChainPosition {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT batch_seq, sha256, last_seq FROM receiver_batches WHERE agent_id = ?
                    ORDER BY batch_seq DESC LIMIT 1
                    """, arguments: [agentID])
        else { return .start }
        return ChainPosition(batchSeq: row["batch_seq"], sha256: row["sha256"], lastEventSeq: row["last_seq"])
    }
}
