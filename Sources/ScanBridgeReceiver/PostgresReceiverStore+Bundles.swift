import PostgresNIO

/// Published profile bundles in the PostgreSQL store.
extension PostgresReceiverStore {
    static let bundleColumns = """
        SELECT name, version, jws, sha256,
               to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM receiver_profile_bundles
        """

    static func bundle(_ row: PostgresRow) throws -> PublishedBundle {
        let (name, version, jws, sha256, publishedAt) = try row.decode((String, Int64, String, String, String).self)
        return PublishedBundle(name: name, version: version, jws: jws, sha256: sha256, publishedAt: publishedAt)
    }

    static func currentBundle(_ connection: PostgresConnection, logger: Logger) async throws -> PublishedBundle? {
        try await connection.query(
            PostgresQuery(unsafeSQL: bundleColumns + " ORDER BY version DESC LIMIT 1"), logger: logger
        ).collect().first.map(bundle)
    }

    public func publishBundle(name: String, version: Int64, jws: String, sha256: String)
        async throws(ReceiverStoreError) -> BundlePublication
    {
        let logger = self.logger
        return try await transaction { connection in
            // Publishers of any receiver take turns (readers are not held up): the second
            // compares its version against what the first committed.
            try await connection.query(
                "LOCK TABLE receiver_profile_bundles IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            if let current = try await Self.currentBundle(connection, logger: logger), current.version >= version {
                return .notNewer(current: current)
            }
            let rows = try await connection.query(
                """
                INSERT INTO receiver_profile_bundles (version, name, jws, sha256)
                VALUES (\(version), \(name), \(jws), \(sha256))
                RETURNING name, version, jws, sha256,
                          to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                """, logger: logger
            ).collect()
            guard let row = rows.first else { throw Inconsistency(description: "INSERT … RETURNING gave no row") }
            return .published(try Self.bundle(row))
        }
    }

    public func currentBundle() async throws(ReceiverStoreError) -> PublishedBundle? {
        let logger = self.logger
        return try await connected { connection in try await Self.currentBundle(connection, logger: logger) }
    }

    public func publishedBundles() async throws(ReceiverStoreError) -> [PublishedBundle] {
        let logger = self.logger
        return try await connected { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: Self.bundleColumns + " ORDER BY version DESC"), logger: logger
            ).collect().map(Self.bundle)
        }
    }
}
