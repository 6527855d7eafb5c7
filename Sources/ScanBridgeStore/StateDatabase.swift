import GRDB
import ScanBridgeCore

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's durable state: outbox, batches, devices, quarantine.
///
/// WAL with `synchronous=FULL`: a commit is on disk when it returns, so an event the agent
/// has counted as received survives a power cut; readers (`scanbridge status`) never block
/// the writer.
public final class StateDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String

    /// The most pages new events may fill, leaving headroom for batches and pruning; `nil`
    /// without a quota (then only a really full disk stops ingest).
    public let eventPageLimit: Int?

    /// - Parameters:
    ///   - maximumBytes: a quota for the database file (`state_max_mb`): a small tablet's
    ///     disk is shared, and a quota turns "disk full" into a state the agent handles.
    ///   - headroomBytes: kept free of events under the quota, so the forwarder can still
    ///     build the batches whose acknowledgement frees space.
    public init(path: String, maximumBytes: Int? = nil, headroomBytes: Int = 0) throws(StoreError) {
        self.path = path
        let pageSize = 4096
        let maximumPages = maximumBytes.map { max(64, $0 / pageSize) }
        eventPageLimit = maximumPages.map { pages in
            max(16, pages - max(pages / 10, (headroomBytes + pageSize - 1) / pageSize))
        }
        var configuration = Configuration()
        // Each connection keeps its own page cache (SQLite's default, 2 MiB, measured: a
        // 512 KiB cache cost 10 % of ingest to save 1.4 MiB). The forwarder and the status
        // endpoint are the agent's only readers, so two reader connections serve them.
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if let maximumPages {
                try db.execute(sql: "PRAGMA max_page_count = \(maximumPages)")
            }
        }
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrate(pool, maximumPages: maximumPages)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: String(describing: error))
        }
    }

    /// Runs the migrations with the quota lifted: an upgrade copies tables (v3 copied every
    /// stored batch body), and an outbox near `state_max_mb` must still open. The quota comes
    /// back afterwards; SQLite never sets it below the file's size, so a database left over
    /// it takes no new pages until pruning acknowledged data frees some (``isOverQuota``).
    static func migrate(_ pool: DatabasePool, maximumPages: Int?) throws {
        guard let maximumPages else { return try migrator.migrate(pool) }
        if try pool.read({ db in try migrator.hasCompletedMigrations(db) }) { return }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 2147483646") }
        defer {
            try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(maximumPages)") }
        }
        try migrator.migrate(pool)
    }

    /// Whether the file holds more pages than the quota allows (after an upgrade, or a lowered
    /// `state_max_mb`): new events wait until acknowledged data is pruned.
    public func isOverQuota() throws(StoreError) -> Bool {
        guard let eventPageLimit else { return false }
        do {
            return try pool.read { db in try OutboxWriter.usedPages(db) } > eventPageLimit
        } catch { throw StoreError.classify(error, path: path) }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE agent (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        agent_id TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL,
                        device_id TEXT NOT NULL,
                        occurred_at_us INTEGER NOT NULL,
                        stored_at_us INTEGER NOT NULL,
                        body BLOB NOT NULL
                    );
                    CREATE TABLE batches (
                        batch_seq INTEGER PRIMARY KEY,
                        first_seq INTEGER NOT NULL,
                        last_seq INTEGER NOT NULL,
                        event_count INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        sha256 TEXT NOT NULL,
                        jws TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'acknowledged', 'parked')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT,
                        created_at_us INTEGER NOT NULL,
                        acked_at_us INTEGER
                    );
                    CREATE INDEX batches_open ON batches(status) WHERE status != 'acknowledged';
                    CREATE TABLE devices (
                        id TEXT PRIMARY KEY,
                        path TEXT,
                        vendor_id TEXT,
                        product_id TEXT,
                        serial TEXT,
                        firmware TEXT,
                        transport TEXT NOT NULL,
                        profile TEXT,
                        first_seen_us INTEGER NOT NULL,
                        last_seen_us INTEGER NOT NULL
                    );
                    CREATE TABLE device_counts (
                        device_id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        last_at_us INTEGER NOT NULL,
                        PRIMARY KEY (device_id, type)
                    );
                    CREATE TABLE quarantine (
                        id TEXT PRIMARY KEY,
                        device_id TEXT NOT NULL,
                        received_at_us INTEGER NOT NULL,
                        reason_code TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        raw BLOB NOT NULL,
                        profile TEXT,
                        status TEXT NOT NULL DEFAULT 'held'
                    );
                    """)
        }
        migrator.registerMigration("v2-profiles-drift-quarantine") { db in
            try db.execute(
                sql: """
                    ALTER TABLE quarantine ADD COLUMN errors TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE quarantine ADD COLUMN firmware TEXT;
                    ALTER TABLE quarantine ADD COLUMN resolution TEXT;
                    ALTER TABLE quarantine ADD COLUMN resolved_at_us INTEGER;
                    ALTER TABLE quarantine ADD COLUMN released_event_id TEXT;
                    CREATE INDEX quarantine_by_status ON quarantine(status, received_at_us);
                    CREATE TABLE device_fingerprints (
                        device_id TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        paths TEXT NOT NULL,
                        first_seen_us INTEGER NOT NULL,
                        PRIMARY KEY (device_id, fingerprint)
                    );
                    CREATE TABLE alerts (
                        id INTEGER PRIMARY KEY,
                        device_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        raised_at_us INTEGER NOT NULL,
                        closed_at_us INTEGER,
                        closed_reason TEXT
                    );
                    """)
        }
        // A batch's body (up to batch_max_bytes) and signature move to a table of their own:
        // in `batches` they sat before `status` and `sha256`, so every status filter, count and
        // chain-head lookup read each batch's overflow pages, and marking a batch acknowledged
        // rewrote its whole body into the WAL. Draining slowed as acknowledged batches piled up.
        migrator.registerMigration("v3-batch-bodies") { db in
            try db.execute(
                sql: """
                    CREATE TABLE batch_bodies (
                        batch_seq INTEGER PRIMARY KEY,
                        body BLOB NOT NULL,
                        jws TEXT NOT NULL
                    );
                    INSERT INTO batch_bodies (batch_seq, body, jws) SELECT batch_seq, body, jws FROM batches;
                    ALTER TABLE batches DROP COLUMN body;
                    ALTER TABLE batches DROP COLUMN jws;
                    """)
        }
        return migrator
    }

    /// The agent's id, created on first use and never changed afterwards.
    public func agentID(preferred: String? = nil) throws(StoreError) -> String {
        do {
            return try pool.write { db in
                if let existing = try String.fetchOne(db, sql: "SELECT agent_id FROM agent WHERE id = 1") {
                    if let preferred, preferred != existing {
                        throw StoreError.agentIDMismatch(stored: existing, configured: preferred)
                    }
                    return existing
                }
                let id = preferred ?? "agent-" + UUIDv7().description
                try db.execute(
                    sql: "INSERT INTO agent (id, agent_id, created_at) VALUES (1, ?, ?)",
                    arguments: [id, Timestamp.now().iso8601])
                return id
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.io(path: path, reason: String(describing: error))
        }
    }
}
