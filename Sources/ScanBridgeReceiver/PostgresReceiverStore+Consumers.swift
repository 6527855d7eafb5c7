import PostgresNIO

/// Feed consumers in the PostgreSQL store.
extension PostgresReceiverStore {
    static let consumerColumns = """
        SELECT name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        FROM receiver_consumers
        """

    static func consumer(_ row: PostgresRow) throws -> FeedConsumer {
        let (name, createdAt, lastUsedAt, revokedAt) = try row.decode((String, String, String?, String?).self)
        return FeedConsumer(name: name, createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt)
    }

    static func consumer(_ connection: PostgresConnection, name: String, logger: Logger) async throws -> FeedConsumer? {
        var query = PostgresQuery(unsafeSQL: consumerColumns + " WHERE name = $1")
        query.binds.append(name, context: .default)
        return try await connection.query(query, logger: logger).collect().first.map(consumer)
    }

    public func addConsumer(name: String, tokenSHA256: String) async throws(ReceiverStoreError) -> FeedConsumer {
        let logger = self.logger
        return try await transaction { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO receiver_consumers (name, token_sha256) VALUES (\(name), \(tokenSHA256))
                ON CONFLICT (name) DO NOTHING RETURNING name
                """, logger: logger
            ).collect()
            guard !inserted.isEmpty, let consumer = try await Self.consumer(connection, name: name, logger: logger)
            else { throw ReceiverStoreError.consumerExists(name: name) }
            return consumer
        }
    }

    public func consumers() async throws(ReceiverStoreError) -> [FeedConsumer] {
        let logger = self.logger
        return try await connected { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: Self.consumerColumns + " ORDER BY name"), logger: logger
            )
            .collect().map(Self.consumer)
        }
    }

    public func activeConsumers() async throws(ReceiverStoreError) -> [ConsumerCredential] {
        let logger = self.logger
        return try await connected { connection in
            try await connection.query(
                "SELECT name, token_sha256 FROM receiver_consumers WHERE revoked_at IS NULL", logger: logger
            ).collect().map { row in
                let (name, hash) = try row.decode((String, String).self)
                return ConsumerCredential(name: name, tokenSHA256: hash)
            }
        }
    }

    public func revokeConsumer(name: String) async throws(ReceiverStoreError) -> FeedConsumer {
        let logger = self.logger
        return try await transaction { connection in
            try await connection.query(
                "UPDATE receiver_consumers SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL",
                logger: logger)
            guard let consumer = try await Self.consumer(connection, name: name, logger: logger) else {
                throw ReceiverStoreError.unknownConsumer(name: name)
            }
            return consumer
        }
    }

    public func markConsumerUsed(name: String, at time: String) async throws(ReceiverStoreError) {
        let logger = self.logger
        try await connected { connection in
            _ = try await connection.query(
                "UPDATE receiver_consumers SET last_used_at = \(time)::timestamptz WHERE name = \(name)", logger: logger
            ).collect()
        }
    }
}
