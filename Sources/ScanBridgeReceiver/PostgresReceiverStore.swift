import Logging
import NIOCore
import PostgresNIO
import ScanBridgeCore
import ScanBridgeWire

/// The receiver's PostgreSQL store, shared by any number of receiver processes.
///
/// Serialization: a batch is accepted in one transaction that first locks its agent's row
/// (`SELECT … FOR UPDATE`), so two receivers given batches of one agent take turns and the
/// second sees what the first committed — a repeat, never a duplicate. Agents do not wait
/// for each other until the very end: the feed position comes from a one-row counter updated
/// as the transaction's last statement, so positions are handed out in commit order (the
/// counter's row lock is held until commit). A consumer that has read position P has
/// therefore seen everything committed before it, and nothing can later appear below P.
/// The price is that commits of different agents are serialized for the length of one
/// statement and the commit itself (docs/wire-format.md, "Receiver figures", has them).
public final class PostgresReceiverStore: ReceiverStorage {
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// How long a statement may run or wait for a lock unless `--statement-timeout-ms` says.
    public static let defaultStatementTimeout: Duration = .seconds(5)

    /// Connects, and brings the schema up to date under an advisory lock. The server ends any
    /// statement of the pool's sessions that runs or waits for a lock longer than
    /// `statementTimeout`; the request then answers 503 with `Retry-After`.
    public init(
        location: PostgresLocation, logger: Logger, statementTimeout: Duration = defaultStatementTimeout
    ) async throws(ReceiverStoreError) {
        self.location = location
        // postgres-nio logs every query at debug level; the receiver logs what matters itself.
        let quiet = {
            var quiet = logger
            quiet.logLevel = max(logger.logLevel, .warning)
            return quiet
        }()
        self.logger = quiet
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: quiet)
            try await probe.close()
        } catch let error as ReceiverStoreError {
            throw error
        } catch {
            throw .unavailable(location.description, reason: Self.describe(error))
        }
        let client = PostgresClient(
            configuration: try location.clientConfiguration(statementTimeout: statementTimeout), backgroundLogger: quiet
        )
        self.client = client
        running = Task { await client.run() }
        do {
            try await Self.within(seconds: 30) { try await PostgresReceiverSchema.migrate(client, logger: quiet) }
        } catch let error as PostgresReceiverSchema.Failure {
            await stop()
            throw .migrationFailed(location.description, reason: error.description)
        } catch {
            await stop()
            throw .unavailable(location.description, reason: Self.describe(error))
        }
    }

    public func close() async {
        await stop()
    }

    private func stop() async {
        running.cancel()
        await running.value
    }

    // MARK: Acceptance

    public func accept(
        _ batch: WireBatch, body: [UInt8], sha256: String, signature: String, kid: String,
        handover: AcceptedHandover?
    ) async throws(ReceiverStoreError) -> ReceiverAcceptance {
        let logger = self.logger
        return try await transaction { connection in
            try await Self.accept(
                connection, batch: batch, sha256: sha256, body: body, signature: signature, kid: kid,
                handover: handover, logger: logger)
        }
    }

    static func accept(
        _ connection: PostgresConnection, batch: WireBatch, sha256: String, body: [UInt8], signature: String,
        kid: String, handover: AcceptedHandover?, logger: Logger
    ) async throws -> ReceiverAcceptance {
        let agentID = batch.agentID
        var found = try await lockHead(connection, agentID: agentID, logger: logger)
        if found == nil {
            try await connection.query(
                "INSERT INTO receiver_agents (agent_id) VALUES (\(agentID)) ON CONFLICT (agent_id) DO NOTHING",
                logger: logger)
            found = try await lockHead(connection, agentID: agentID, logger: logger)
        }
        guard var head = found else { throw Inconsistency(description: "agent row \(agentID) vanished while locked") }
        // Under the agent's row lock, which a hand-over's retirement is written under too.
        if let signer = try await key(connection, kid: kid, logger: logger),
            let handedOverAt = signer.retiredAfterBatchSeq, batch.batchSeq > handedOverAt
        {
            return .keyRetired(kid: kid, handedOverAt: handedOverAt)
        }
        if batch.batchSeq <= head.position.batchSeq {
            let rows = try await connection.query(
                """
                SELECT sha256 FROM receiver_batches WHERE agent_id = \(agentID) AND batch_seq = \(batch.batchSeq)
                """, logger: logger
            ).collect()
            let existing = try rows.first?.decode(String.self)
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
            let owner = try await key(connection, kid: handover.newKey.thumbprint, logger: logger)?.agentID,
            owner != agentID
        {
            return .handoverRefused(
                expectedBatchSeq: head.position.batchSeq + 1,
                reason: "the hand-over names key \(handover.newKey.thumbprint), enrolled to agent \(owner)")
        }
        let seqs = batch.events.map(\.seq)
        let ids = batch.events.map(\.id)
        let types = batch.events.map(\.type)
        let times = batch.events.map(\.occurredAt)
        let bodies = batch.events.map { ByteBuffer(bytes: $0.bytes) }
        try await connection.query(
            """
            INSERT INTO receiver_events (agent_id, seq, id, type, occurred_at, batch_seq, body)
            SELECT \(agentID), u.seq, u.id, u.type, u.occurred_at, \(batch.batchSeq), u.body
            FROM unnest(\(seqs)::int8[], \(ids)::text[], \(types)::text[], \(times)::text[], \(bodies)::bytea[])
                AS u(seq, id, type, occurred_at, body)
            """, logger: logger)
        head.advance(to: next, with: batch)
        // The last statement: the counter's row lock is held from here to the commit.
        try await connection.query(
            """
            WITH next_position AS (
                UPDATE receiver_feed SET last_position = last_position + 1 WHERE id = 1 RETURNING last_position
            ), head AS (
                UPDATE receiver_agents SET last_batch_seq = \(head.position.batchSeq),
                    last_sha256 = \(head.position.sha256), last_event_seq = \(head.position.lastEventSeq),
                    last_occurred_at = \(head.lastOccurredAt), last_occurred_us = \(head.lastOccurredMicroseconds),
                    event_count = \(head.eventCount)
                WHERE agent_id = \(agentID)
            )
            INSERT INTO receiver_batches (agent_id, batch_seq, sha256, prev_sha256, first_seq, last_seq, body, jws,
                                          kid, feed_position)
            SELECT \(agentID), \(batch.batchSeq), \(sha256), \(batch.previousSHA256), \(seqs.first ?? 0),
                   \(seqs.last ?? 0), \(ByteBuffer(bytes: body)), \(signature), \(kid), last_position
            FROM next_position
            """, logger: logger)
        if let handover {
            for key in [handover.oldKey, handover.newKey] {
                try await connection.query(
                    """
                    INSERT INTO receiver_keys (kid, agent_id, x) VALUES (\(key.thumbprint), \(agentID), \(key.x))
                    ON CONFLICT (kid) DO NOTHING
                    """, logger: logger)
            }
            try await connection.query(
                """
                UPDATE receiver_keys SET retired_after_batch_seq = \(batch.batchSeq),
                    replaced_by = \(handover.newKey.thumbprint)
                WHERE kid = \(handover.oldKey.thumbprint) AND retired_after_batch_seq IS NULL
                """, logger: logger)
        }
        return .accepted
    }

    static func lockHead(_ connection: PostgresConnection, agentID: String, logger: Logger) async throws -> AgentHead? {
        let rows = try await connection.query(
            """
            SELECT agent_id, last_batch_seq, last_sha256, last_event_seq, last_occurred_at, last_occurred_us,
                   event_count
            FROM receiver_agents WHERE agent_id = \(agentID) FOR UPDATE
            """, logger: logger
        ).collect()
        return try rows.first.map(AgentHead.init)
    }

    // MARK: Keys

    static let keyColumns: PostgresQuery = """
        SELECT kid, agent_id, x, to_char(enrolled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), retired_after_batch_seq,
               replaced_by
        FROM receiver_keys
        """

    static func enrolledKey(_ row: PostgresRow) throws -> EnrolledKey? {
        let (_, agentID, x, enrolledAt, revokedAt, retiredAfter, replacedBy) = try row.decode(
            (String, String, String, String, String?, Int64?, String?).self)
        guard let key = PublicKeyJWK(x: x) else { return nil }
        return EnrolledKey(
            key: key, agentID: agentID, enrolledAt: enrolledAt, revokedAt: revokedAt,
            retiredAfterBatchSeq: retiredAfter, replacedBy: replacedBy)
    }

    static func key(_ connection: PostgresConnection, kid: String, logger: Logger) async throws -> EnrolledKey? {
        var query = keyColumns
        query.sql += " WHERE kid = $1"
        query.binds.append(kid, context: .default)
        return try await connection.query(query, logger: logger).collect().first.flatMap(enrolledKey)
    }

    public func enrolledKey(kid: String) async throws(ReceiverStoreError) -> EnrolledKey? {
        let logger = self.logger
        return try await connected { connection in try await Self.key(connection, kid: kid, logger: logger) }
    }

    public func enrol(_ keys: [PublicKeyJWK], agentID: String) async throws(ReceiverStoreError) -> [EnrolmentResult] {
        let logger = self.logger
        return try await transaction { connection in
            try await connection.query(
                "INSERT INTO receiver_agents (agent_id) VALUES (\(agentID)) ON CONFLICT (agent_id) DO NOTHING",
                logger: logger)
            var results: [EnrolmentResult] = []
            for key in keys {
                let kid = key.thumbprint
                let inserted = try await connection.query(
                    """
                    INSERT INTO receiver_keys (kid, agent_id, x) VALUES (\(kid), \(agentID), \(key.x))
                    ON CONFLICT (kid) DO NOTHING RETURNING kid
                    """, logger: logger
                ).collect()
                if !inserted.isEmpty {
                    results.append(.enrolled(kid: kid))
                    continue
                }
                guard let existing = try await Self.key(connection, kid: kid, logger: logger) else {
                    throw Inconsistency(description: "key \(kid) vanished while enrolling")
                }
                guard existing.agentID == agentID else {
                    throw ReceiverStoreError.keyEnrolledToAnotherAgent(kid: kid, agentID: existing.agentID)
                }
                guard existing.revokedAt == nil else { throw ReceiverStoreError.keyRevoked(kid: kid, agentID: agentID) }
                results.append(.alreadyEnrolled(kid: kid))
            }
            return results
        }
    }

    public func revoke(kid: String) async throws(ReceiverStoreError) -> EnrolledKey {
        let logger = self.logger
        return try await transaction { connection in
            try await connection.query(
                "UPDATE receiver_keys SET revoked_at = now() WHERE kid = \(kid) AND revoked_at IS NULL", logger: logger)
            guard let key = try await Self.key(connection, kid: kid, logger: logger) else {
                throw ReceiverStoreError.unknownKey(kid: kid)
            }
            return key
        }
    }

    public func enrolledKeys() async throws(ReceiverStoreError) -> [EnrolledKey] {
        let logger = self.logger
        return try await connected { connection in
            var query = Self.keyColumns
            query.sql += " ORDER BY agent_id, enrolled_at, kid"
            return try await connection.query(query, logger: logger).collect().compactMap(Self.enrolledKey)
        }
    }

    // MARK: Agents

    static let headColumns = """
        SELECT agent_id, last_batch_seq, last_sha256, last_event_seq, last_occurred_at, last_occurred_us, event_count
        FROM receiver_agents
        """

    public func agentSummaries() async throws(ReceiverStoreError) -> [AgentSummary] {
        let logger = self.logger
        return try await connected { connection in
            let heads = try await connection.query(
                PostgresQuery(unsafeSQL: Self.headColumns + " ORDER BY agent_id"), logger: logger
            ).collect().map(AgentHead.init)
            var summaries: [AgentSummary] = []
            for head in heads { summaries.append(try await Self.summary(connection, head: head, logger: logger)) }
            return summaries
        }
    }

    public func agentSummary(_ agentID: String) async throws(ReceiverStoreError) -> AgentSummary? {
        let logger = self.logger
        return try await connected { connection in
            var query = PostgresQuery(unsafeSQL: Self.headColumns + " WHERE agent_id = $1")
            query.binds.append(agentID, context: .default)
            guard let head = try await connection.query(query, logger: logger).collect().first.map(AgentHead.init)
            else { return nil }
            return try await Self.summary(connection, head: head, logger: logger)
        }
    }

    /// Gaps are looked for only when the count of stored events says there are some.
    static func summary(_ connection: PostgresConnection, head: AgentHead, logger: Logger) async throws
        -> AgentSummary
    {
        var gaps: [[Int64]] = []
        if head.eventCount != head.position.lastEventSeq {
            for row in try await connection.query(
                """
                SELECT prev + 1, seq - 1 FROM (
                    SELECT seq, coalesce(lag(seq) OVER (ORDER BY seq), 0) AS prev
                    FROM receiver_events WHERE agent_id = \(head.agentID)) AS s
                WHERE seq > prev + 1 ORDER BY seq
                """, logger: logger
            ).collect() {
                let (from, to) = try row.decode((Int64, Int64).self)
                gaps.append([from, to])
            }
        }
        return AgentSummary(
            agentID: head.agentID, lastBatchSeq: head.position.batchSeq, lastEventSeq: head.position.lastEventSeq,
            lastOccurredAt: head.lastOccurredAt, gaps: gaps)
    }

    // MARK: Feed and audit

    public func events(after cursor: FeedCursor, limit: Int) async throws(ReceiverStoreError) -> [FeedEntry] {
        let logger = self.logger
        return try await connected { connection in
            try await connection.query(
                """
                SELECT b.feed_position, e.seq, e.agent_id, e.batch_seq, e.body
                FROM receiver_batches b
                JOIN receiver_events e ON e.agent_id = b.agent_id AND e.seq BETWEEN b.first_seq AND b.last_seq
                WHERE b.feed_position >= \(cursor.position) AND (b.feed_position > \(cursor.position) OR e.seq > \(cursor.seq))
                ORDER BY b.feed_position, e.seq
                LIMIT \(Int64(limit))
                """, logger: logger
            ).collect().map { row in
                let (position, seq, agentID, batchSeq, body) = try row.decode(
                    (Int64, Int64, String, Int64, ByteBuffer).self)
                return FeedEntry(
                    cursor: FeedCursor(position: position, seq: seq), agentID: agentID, batchSeq: batchSeq,
                    event: Array(body.readableBytesView))
            }
        }
    }

    public func agentIDsWithBatches() async throws(ReceiverStoreError) -> [String] {
        let logger = self.logger
        return try await connected { connection in
            try await connection.query(
                "SELECT agent_id FROM receiver_agents WHERE last_batch_seq > 0 ORDER BY agent_id", logger: logger
            ).collect().map { try $0.decode(String.self) }
        }
    }

    public func batches(agentID: String, after batchSeq: Int64, limit: Int) async throws(ReceiverStoreError)
        -> [ReceivedBatch]
    {
        let logger = self.logger
        return try await connected { connection in
            try await connection.query(
                """
                SELECT batch_seq, body, jws FROM receiver_batches WHERE agent_id = \(agentID) AND batch_seq > \(batchSeq)
                ORDER BY batch_seq LIMIT \(Int64(limit))
                """, logger: logger
            ).collect().map { row in
                let (seq, body, jws) = try row.decode((Int64, ByteBuffer, String).self)
                return ReceivedBatch(batchSeq: seq, body: Array(body.readableBytesView), signature: jws)
            }
        }
    }

    public func ping() async throws(ReceiverStoreError) {
        let logger = self.logger
        try await connected { connection in _ = try await connection.query("SELECT 1", logger: logger).collect() }
    }

    // MARK: Plumbing

    /// Runs `work` on a leased connection; any failure is the store's, never the client's.
    func connected<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(ReceiverStoreError) -> T
    {
        do { return try await lease(work) } catch { throw storeError(error) }
    }

    private func lease<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws
        -> T
    {
        try await Self.within(seconds: 30) { [client] in
            try await client.withConnection { connection in try await work(connection) }
        }
    }

    /// Runs `work` in a transaction, again when PostgreSQL reports a serialization failure,
    /// a deadlock or a unique violation (the next attempt sees what the other transaction
    /// committed and answers a repeat or a conflict).
    func transaction<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(ReceiverStoreError) -> T
    {
        let logger = self.logger
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await lease { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let value = try await work(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch {
                if attempt < 4, Self.isRetryable(error) { continue }
                throw storeError(error)
            }
        }
    }

    private func storeError(_ error: any Error) -> ReceiverStoreError {
        if let error = error as? ReceiverStoreError { return error }
        if Self.isTimeout(error) { return .timedOut(location.description, reason: Self.describe(error)) }
        return .unavailable(location.description, reason: Self.describe(error))
    }

    /// The server ended a statement for `statement_timeout` (57014) or `lock_timeout` (55P03).
    static func isTimeout(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return ["57014", "55P03"].contains(state)
    }

    static func isRetryable(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return ["23505", "40001", "40P01"].contains(state)
    }

    /// A readable cause: PostgreSQL's own message and SQLSTATE, or what failed on the way.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                return "PostgreSQL: \(info[.message] ?? "error") (SQLSTATE \(info[.sqlState] ?? "?"))"
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        if error is TimeoutError { return "no answer within 30 s" }
        return "\(error)"
    }

    struct TimeoutError: Error {}

    /// Something the schema rules out happened (a row vanished inside a transaction).
    struct Inconsistency: Error, CustomStringConvertible {
        var description: String
    }

    /// Gives up on `work` after `seconds`, so an unreachable server is an error rather than
    /// a wait as long as the connection pool's own retries.
    static func within<T: Sendable>(seconds: Int, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw TimeoutError() }
            return value
        }
    }
}

extension AgentHead {
    init(_ row: PostgresRow) throws {
        let (agentID, batchSeq, sha256, lastEventSeq, occurredAt, occurredMicroseconds, count) = try row.decode(
            (String, Int64, String?, Int64, String?, Int64?, Int64).self)
        self.init(
            agentID: agentID, position: ChainPosition(batchSeq: batchSeq, sha256: sha256, lastEventSeq: lastEventSeq),
            lastOccurredAt: occurredAt, lastOccurredMicroseconds: occurredMicroseconds, eventCount: count)
    }
}
