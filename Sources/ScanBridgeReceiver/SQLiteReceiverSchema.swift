import GRDB
import ScanBridgeCore
import ScanBridgeWire

/// Versioned migrations of the SQLite receiver store.
///
/// They run in one IMMEDIATE transaction that first reads which are applied, so two
/// processes opening a new file at once take turns instead of both creating the tables.
/// Applied versions are recorded in GRDB's `grdb_migrations` table, which stores made by
/// earlier releases (through GRDB's migrator) already hold.
enum SQLiteReceiverSchema {
    static let migrations: [(identifier: String, apply: @Sendable (Database) throws -> Void)] = [
        ("receiver-v1", createBatchesAndEvents),
        ("receiver-v2-agents-keys-feed", addAgentsKeysAndFeed),
        ("receiver-v3-key-handovers", addKeyHandovers),
        ("receiver-v4-feed-consumers", addFeedConsumers),
        ("receiver-v5-console", addConsole),
        ("receiver-v6-profile-bundles", addProfileBundles),
    ]

    static func migrate(_ db: Database) throws {
        try db.inTransaction(.immediate) {
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
            for migration in migrations where !applied.contains(migration.identifier) {
                try migration.apply(db)
                try db.execute(
                    sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
            }
            return .commit
        }
    }

    static func createBatchesAndEvents(_ db: Database) throws {
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

    /// Agents (chain heads and summaries), enrolled keys, and feed positions. Batches stored
    /// before this version get positions in the order they were inserted, which in one SQLite
    /// file is the order they were committed.
    static func addAgentsKeysAndFeed(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE receiver_agents (
                    agent_id TEXT NOT NULL PRIMARY KEY,
                    last_batch_seq INTEGER NOT NULL DEFAULT 0,
                    last_sha256 TEXT,
                    last_event_seq INTEGER NOT NULL DEFAULT 0,
                    last_occurred_at TEXT,
                    last_occurred_us INTEGER,
                    event_count INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE receiver_keys (
                    kid TEXT NOT NULL PRIMARY KEY,
                    agent_id TEXT NOT NULL REFERENCES receiver_agents (agent_id),
                    x TEXT NOT NULL,
                    enrolled_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                CREATE INDEX receiver_keys_by_agent ON receiver_keys (agent_id);
                ALTER TABLE receiver_batches ADD COLUMN feed_position INTEGER;
                UPDATE receiver_batches SET feed_position =
                    (SELECT count(*) FROM receiver_batches AS earlier WHERE earlier.rowid <= receiver_batches.rowid);
                CREATE UNIQUE INDEX receiver_batches_by_feed_position ON receiver_batches (feed_position);
                """)
        for agentID in try String.fetchAll(db, sql: "SELECT DISTINCT agent_id FROM receiver_batches") {
            guard
                let last = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT batch_seq, sha256, last_seq FROM receiver_batches WHERE agent_id = ?
                        ORDER BY batch_seq DESC LIMIT 1
                        """, arguments: [agentID])
            else { continue }
            var head = AgentHead(
                agentID: agentID,
                position: ChainPosition(
                    batchSeq: last["batch_seq"], sha256: last["sha256"], lastEventSeq: last["last_seq"]),
                lastOccurredAt: nil, lastOccurredMicroseconds: nil,
                eventCount: try Int64.fetchOne(
                    db, sql: "SELECT count(*) FROM receiver_events WHERE agent_id = ?", arguments: [agentID]) ?? 0)
            for occurredAt in try String.fetchAll(
                db, sql: "SELECT DISTINCT occurred_at FROM receiver_events WHERE agent_id = ?", arguments: [agentID])
            {
                guard let time = Timestamp(iso8601: occurredAt)?.microsecondsSinceEpoch,
                    time > head.lastOccurredMicroseconds ?? .min
                else { continue }
                head.lastOccurredMicroseconds = time
                head.lastOccurredAt = occurredAt
            }
            try head.save(db)
        }
    }

    /// Keys replaced by an agent's signed hand-over: the last batch they may sign, and their
    /// successor.
    static func addKeyHandovers(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE receiver_keys ADD COLUMN retired_after_batch_seq INTEGER;
                ALTER TABLE receiver_keys ADD COLUMN replaced_by TEXT;
                """)
    }

    /// Systems allowed to read the feed, agents and metrics, by the SHA-256 of their token.
    static func addFeedConsumers(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE receiver_consumers (
                    name TEXT NOT NULL PRIMARY KEY,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    last_used_at TEXT,
                    revoked_at TEXT
                );
                """)
    }

    /// The console: its sessions (the SHA-256 of each cookie, tied to a consumer, with its
    /// end), an index for "when did this agent's newest batch arrive", and a partial index of
    /// the few event types it reports on (`ConsoleNotice.typeCondition`, spelled out here so
    /// this version never changes), so it never scans an agent's scans.
    static func addConsole(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE receiver_console_sessions (
                    token_sha256 TEXT NOT NULL PRIMARY KEY,
                    consumer TEXT NOT NULL REFERENCES receiver_consumers (name),
                    created_at TEXT NOT NULL,
                    expires_us INTEGER NOT NULL
                );
                CREATE INDEX receiver_console_sessions_by_expiry ON receiver_console_sessions (expires_us);
                CREATE INDEX receiver_events_notices ON receiver_events (agent_id, seq)
                    WHERE type IN ('device.attached', 'device.firmware_changed', 'schema.drift_detected',
                                   'payload.quarantined', 'payload.released');
                """)
    }

    /// Published profile bundles, every version kept: the highest is the one agents fetch.
    static func addProfileBundles(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE receiver_profile_bundles (
                    version INTEGER NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    jws TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    published_at TEXT NOT NULL
                );
                """)
    }
}
