import PostgresNIO
import ScanBridgeCore

/// The console's reads and sessions in the PostgreSQL store.
extension PostgresReceiverStore {
    /// Agents with the `received_at` of their newest batch: one primary-key lookup per agent.
    static let consoleAgentsSQL = """
        SELECT a.agent_id, a.last_batch_seq, a.last_event_seq, a.last_occurred_at, a.event_count,
               to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               to_char(b.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM receiver_agents a
        LEFT JOIN receiver_batches b ON b.agent_id = a.agent_id AND b.batch_seq = a.last_batch_seq
        """

    /// The notices with the fields the console shows, pulled out of the body as jsonb.
    static let consoleNoticesSQL = """
        SELECT agent_id, seq, type, occurred_at, j->'device'->>'id', j->'device'->>'firmware',
               j->'data'->>'quarantine_id', j->'data'->>'reason', j->'data'->>'profile', j->'data'->>'old',
               j->'data'->>'new'
        FROM (SELECT agent_id, seq, type, occurred_at, convert_from(body, 'UTF8')::jsonb AS j FROM receiver_events
              WHERE \(ConsoleNotice.typeCondition)
        """

    public func consoleAgents(agentID: String?) async throws(ReceiverStoreError) -> [ConsoleAgentRecord] {
        let logger = self.logger
        return try await connected { connection in
            var query = PostgresQuery(unsafeSQL: Self.consoleAgentsSQL + " ORDER BY a.agent_id")
            if let agentID {
                query = PostgresQuery(unsafeSQL: Self.consoleAgentsSQL + " WHERE a.agent_id = $1")
                query.binds.append(agentID, context: .default)
            }
            return try await connection.query(query, logger: logger).collect().map { row in
                let (agentID, lastBatchSeq, lastEventSeq, lastOccurredAt, eventCount, createdAt, receivedAt) =
                    try row.decode((String, Int64, Int64, String?, Int64, String?, String?).self)
                return ConsoleAgentRecord(
                    agentID: agentID, lastBatchSeq: lastBatchSeq, lastEventSeq: lastEventSeq,
                    lastOccurredAt: lastOccurredAt, eventCount: eventCount, createdAt: createdAt,
                    lastReceivedAt: receivedAt)
            }
        }
    }

    public func consoleNotices(agentID: String?) async throws(ReceiverStoreError) -> [ConsoleNotice] {
        let logger = self.logger
        return try await connected { connection in
            var query = PostgresQuery(unsafeSQL: Self.consoleNoticesSQL + ") AS e ORDER BY agent_id, seq")
            if let agentID {
                query = PostgresQuery(
                    unsafeSQL: Self.consoleNoticesSQL + " AND agent_id = $1) AS e ORDER BY agent_id, seq")
                query.binds.append(agentID, context: .default)
            }
            return try await connection.query(query, logger: logger).collect().map { row in
                let (agentID, seq, type, occurredAt, deviceID, firmware, quarantineID, reason, profile, old, new) =
                    try row.decode(
                        (String, Int64, String, String, String?, String?, String?, String?, String?, String?, String?)
                            .self)
                return ConsoleNotice(
                    agentID: agentID, seq: seq, type: type, occurredAt: occurredAt, deviceID: deviceID,
                    firmware: firmware, quarantineID: quarantineID, reason: reason, profile: profile, old: old,
                    new: new)
            }
        }
    }

    public func startConsoleSession(tokenSHA256: String, consumer: String, expiresAt: Timestamp)
        async throws(ReceiverStoreError)
    {
        let logger = self.logger
        let expires = expiresAt.iso8601
        try await transaction { connection in
            try await connection.query(
                "DELETE FROM receiver_console_sessions WHERE expires_at <= now()", logger: logger)
            try await connection.query(
                """
                INSERT INTO receiver_console_sessions (token_sha256, consumer, expires_at)
                VALUES (\(tokenSHA256), \(consumer), \(expires)::timestamptz)
                """, logger: logger)
        }
    }

    public func consoleSessionConsumer(tokenSHA256: String, now: Timestamp) async throws(ReceiverStoreError)
        -> String?
    {
        let logger = self.logger
        let time = now.iso8601
        return try await connected { connection in
            try await connection.query(
                """
                SELECT s.consumer FROM receiver_console_sessions s
                JOIN receiver_consumers c ON c.name = s.consumer
                WHERE s.token_sha256 = \(tokenSHA256) AND s.expires_at > \(time)::timestamptz
                  AND c.revoked_at IS NULL
                """, logger: logger
            ).collect().first?.decode(String.self)
        }
    }

    public func endConsoleSession(tokenSHA256: String, now: Timestamp) async throws(ReceiverStoreError) {
        let logger = self.logger
        let time = now.iso8601
        try await connected { connection in
            _ = try await connection.query(
                """
                DELETE FROM receiver_console_sessions
                WHERE token_sha256 = \(tokenSHA256) OR expires_at <= \(time)::timestamptz
                """, logger: logger
            ).collect()
        }
    }
}
