import GRDB
import ScanBridgeCore

/// The console's reads and sessions in the SQLite store.
extension SQLiteReceiverStore {
    /// Agents with the `received_at` of their newest batch: one primary-key lookup per agent.
    static let consoleAgentsSQL = """
        SELECT a.agent_id, a.last_batch_seq, a.last_event_seq, a.last_occurred_at, a.event_count, a.created_at,
               b.received_at
        FROM receiver_agents a
        LEFT JOIN receiver_batches b ON b.agent_id = a.agent_id AND b.batch_seq = a.last_batch_seq
        """

    /// The notices with the fields the console shows, pulled out of the body by SQLite's JSON
    /// functions (the body is a BLOB, read as the UTF-8 text it is).
    static let consoleNoticesSQL = """
        SELECT agent_id, seq, type, occurred_at,
               CAST(json_extract(j, '$.device.id') AS TEXT), CAST(json_extract(j, '$.device.firmware') AS TEXT),
               CAST(json_extract(j, '$.data.quarantine_id') AS TEXT), CAST(json_extract(j, '$.data.reason') AS TEXT),
               CAST(json_extract(j, '$.data.profile') AS TEXT), CAST(json_extract(j, '$.data.old') AS TEXT),
               CAST(json_extract(j, '$.data.new') AS TEXT)
        FROM (SELECT agent_id, seq, type, occurred_at, CAST(body AS TEXT) AS j FROM receiver_events
              WHERE \(ConsoleNotice.typeCondition)
        """

    public func consoleAgents(agentID: String?) async throws(ReceiverStoreError) -> [ConsoleAgentRecord] {
        try await reading { db in
            let rows =
                if let agentID {
                    try Row.fetchAll(db, sql: Self.consoleAgentsSQL + " WHERE a.agent_id = ?", arguments: [agentID])
                } else {
                    try Row.fetchAll(db, sql: Self.consoleAgentsSQL + " ORDER BY a.agent_id")
                }
            return rows.map { row in
                ConsoleAgentRecord(
                    agentID: row[0], lastBatchSeq: row[1], lastEventSeq: row[2], lastOccurredAt: row[3],
                    eventCount: row[4], createdAt: row[5], lastReceivedAt: row[6])
            }
        }
    }

    public func consoleNotices(agentID: String?) async throws(ReceiverStoreError) -> [ConsoleNotice] {
        try await reading { db in
            let rows =
                if let agentID {
                    try Row.fetchAll(
                        db, sql: Self.consoleNoticesSQL + " AND agent_id = ?) ORDER BY agent_id, seq",
                        arguments: [agentID])
                } else {
                    try Row.fetchAll(db, sql: Self.consoleNoticesSQL + ") ORDER BY agent_id, seq")
                }
            return rows.map { row in
                ConsoleNotice(
                    agentID: row[0], seq: row[1], type: row[2], occurredAt: row[3], deviceID: row[4],
                    firmware: row[5], quarantineID: row[6], reason: row[7], profile: row[8], old: row[9],
                    new: row[10])
            }
        }
    }

    public func startConsoleSession(tokenSHA256: String, consumer: String, expiresAt: Timestamp)
        async throws(ReceiverStoreError)
    {
        try await writing { db in
            let now = Timestamp.now()
            try db.execute(
                sql: "DELETE FROM receiver_console_sessions WHERE expires_us <= ?",
                arguments: [now.microsecondsSinceEpoch])
            try db.execute(
                sql: """
                    INSERT INTO receiver_console_sessions (token_sha256, consumer, created_at, expires_us)
                    VALUES (?, ?, ?, ?)
                    """, arguments: [tokenSHA256, consumer, now.iso8601, expiresAt.microsecondsSinceEpoch])
        }
    }

    public func consoleSessionConsumer(tokenSHA256: String, now: Timestamp) async throws(ReceiverStoreError)
        -> String?
    {
        try await reading { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT s.consumer FROM receiver_console_sessions s
                    JOIN receiver_consumers c ON c.name = s.consumer
                    WHERE s.token_sha256 = ? AND s.expires_us > ? AND c.revoked_at IS NULL
                    """, arguments: [tokenSHA256, now.microsecondsSinceEpoch])
        }
    }

    public func endConsoleSession(tokenSHA256: String, now: Timestamp) async throws(ReceiverStoreError) {
        try await writing { db in
            try db.execute(
                sql: "DELETE FROM receiver_console_sessions WHERE token_sha256 = ? OR expires_us <= ?",
                arguments: [tokenSHA256, now.microsecondsSinceEpoch])
        }
    }
}
