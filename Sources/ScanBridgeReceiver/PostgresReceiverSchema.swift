import Logging
import PostgresNIO

/// Versioned migrations of the PostgreSQL receiver store.
///
/// Every command that opens the store runs them. They run in one transaction that first takes
/// a transaction-scoped advisory lock, so receivers starting together wait for one another
/// and each then finds the schema complete; DDL in PostgreSQL is transactional, so a failed
/// migration leaves nothing half-done.
enum PostgresReceiverSchema {
    /// `pg_advisory_xact_lock` key: "scanbrdg" in ASCII.
    static let lockKey: Int64 = 0x7363_616e_6272_6467

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let migrations: [(version: Int32, name: String, statements: [String])] = [
        (
            1, "agents, keys, batches, events, feed",
            [
                """
                CREATE TABLE receiver_agents (
                    agent_id text PRIMARY KEY,
                    last_batch_seq bigint NOT NULL DEFAULT 0,
                    last_sha256 text,
                    last_event_seq bigint NOT NULL DEFAULT 0,
                    last_occurred_at text,
                    last_occurred_us bigint,
                    event_count bigint NOT NULL DEFAULT 0,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE receiver_keys (
                    kid text PRIMARY KEY,
                    agent_id text NOT NULL REFERENCES receiver_agents (agent_id),
                    x text NOT NULL,
                    enrolled_at timestamptz NOT NULL DEFAULT now(),
                    revoked_at timestamptz
                )
                """,
                "CREATE INDEX receiver_keys_by_agent ON receiver_keys (agent_id)",
                """
                CREATE TABLE receiver_batches (
                    agent_id text NOT NULL,
                    batch_seq bigint NOT NULL,
                    sha256 text NOT NULL,
                    prev_sha256 text,
                    first_seq bigint NOT NULL,
                    last_seq bigint NOT NULL,
                    body bytea NOT NULL,
                    jws text NOT NULL,
                    kid text NOT NULL,
                    received_at timestamptz NOT NULL DEFAULT now(),
                    feed_position bigint NOT NULL UNIQUE,
                    PRIMARY KEY (agent_id, batch_seq)
                )
                """,
                """
                CREATE TABLE receiver_events (
                    agent_id text NOT NULL,
                    seq bigint NOT NULL,
                    id text NOT NULL,
                    type text NOT NULL,
                    occurred_at text NOT NULL,
                    batch_seq bigint NOT NULL,
                    body bytea NOT NULL,
                    PRIMARY KEY (agent_id, seq)
                )
                """,
                """
                CREATE TABLE receiver_feed (
                    id integer PRIMARY KEY CHECK (id = 1),
                    last_position bigint NOT NULL
                )
                """,
                "INSERT INTO receiver_feed (id, last_position) VALUES (1, 0)",
            ]
        ),
        (
            2, "key hand-overs",
            [
                "ALTER TABLE receiver_keys ADD COLUMN retired_after_batch_seq bigint",
                "ALTER TABLE receiver_keys ADD COLUMN replaced_by text",
            ]
        ),
        (
            3, "feed consumers",
            [
                """
                CREATE TABLE receiver_consumers (
                    name text PRIMARY KEY,
                    token_sha256 text NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    last_used_at timestamptz,
                    revoked_at timestamptz
                )
                """
            ]
        ),
        (
            // The type list is `ConsoleNotice.typeCondition`, spelled out so this version never
            // changes. Building the partial index reads receiver_events once.
            4, "console sessions and the notices index",
            [
                """
                CREATE TABLE receiver_console_sessions (
                    token_sha256 text PRIMARY KEY,
                    consumer text NOT NULL REFERENCES receiver_consumers (name),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX receiver_console_sessions_by_expiry ON receiver_console_sessions (expires_at)",
                """
                CREATE INDEX receiver_events_notices ON receiver_events (agent_id, seq)
                WHERE type IN ('device.attached', 'device.firmware_changed', 'schema.drift_detected',
                               'payload.quarantined', 'payload.released')
                """,
            ]
        ),
        (
            5, "profile bundles",
            [
                """
                CREATE TABLE receiver_profile_bundles (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    jws text NOT NULL,
                    sha256 text NOT NULL,
                    published_at timestamptz NOT NULL DEFAULT now()
                )
                """
            ]
        ),
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                // Migrations may wait for another receiver's and take longer than a request's
                // statement timeout; they get the 30 s the caller allows them.
                try await connection.query("SET LOCAL statement_timeout = '30s'", logger: logger)
                try await connection.query("SET LOCAL lock_timeout = '30s'", logger: logger)
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS receiver_schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """, logger: logger)
                var applied: Set<Int32> = []
                for try await version in try await connection.query(
                    "SELECT version FROM receiver_schema_migrations", logger: logger
                ).decode(Int32.self) {
                    applied.insert(version)
                }
                if let newest = applied.max(), newest > migrations.last?.version ?? 0 {
                    throw Failure(
                        description:
                            "the schema is at version \(newest), newer than this scanbridge knows (\(migrations.last?.version ?? 0)); run the newer release"
                    )
                }
                for migration in migrations where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        do {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        } catch {
                            throw Failure(
                                description:
                                    "migration \(migration.version) (\(migration.name)): \(PostgresReceiverStore.describe(error))"
                            )
                        }
                    }
                    try await connection.query(
                        """
                        INSERT INTO receiver_schema_migrations (version, name)
                        VALUES (\(migration.version), \(migration.name))
                        """, logger: logger)
                }
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
