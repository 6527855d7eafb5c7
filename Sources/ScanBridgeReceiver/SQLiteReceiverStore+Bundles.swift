import GRDB
import ScanBridgeCore

/// Published profile bundles in the SQLite store.
extension SQLiteReceiverStore {
    public func publishBundle(name: String, version: Int64, jws: String, sha256: String)
        async throws(ReceiverStoreError) -> BundlePublication
    {
        // The IMMEDIATE transaction holds the write lock from the first read: two publishers
        // take turns, and the second compares against what the first stored.
        try await writing { db in
            if let current = try Self.currentBundle(db), current.version >= version {
                return .notNewer(current: current)
            }
            let bundle = PublishedBundle(
                name: name, version: version, jws: jws, sha256: sha256, publishedAt: Timestamp.now().iso8601)
            try db.execute(
                sql: """
                    INSERT INTO receiver_profile_bundles (version, name, jws, sha256, published_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [bundle.version, bundle.name, bundle.jws, bundle.sha256, bundle.publishedAt])
            return .published(bundle)
        }
    }

    public func currentBundle() async throws(ReceiverStoreError) -> PublishedBundle? {
        try await reading { db in try Self.currentBundle(db) }
    }

    public func publishedBundles() async throws(ReceiverStoreError) -> [PublishedBundle] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM receiver_profile_bundles ORDER BY version DESC").map(Self.bundle)
        }
    }

    static func currentBundle(_ db: Database) throws -> PublishedBundle? {
        try Row.fetchOne(db, sql: "SELECT * FROM receiver_profile_bundles ORDER BY version DESC LIMIT 1").map(
            Self.bundle)
    }

    static func bundle(_ row: Row) -> PublishedBundle {
        PublishedBundle(
            name: row["name"], version: row["version"], jws: row["jws"], sha256: row["sha256"],
            publishedAt: row["published_at"])
    }
}
