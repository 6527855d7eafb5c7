import GRDB
import ScanBridgeCore

/// Feed consumers in the SQLite store.
extension SQLiteReceiverStore {
    public func addConsumer(name: String, tokenSHA256: String) async throws(ReceiverStoreError) -> FeedConsumer {
        try await writing { db in
            let createdAt = Timestamp.now().iso8601
            try db.execute(
                sql:
                    "INSERT INTO receiver_consumers (name, token_sha256, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [name, tokenSHA256, createdAt])
            guard db.changesCount == 1 else { throw ReceiverStoreError.consumerExists(name: name) }
            return FeedConsumer(name: name, createdAt: createdAt, lastUsedAt: nil, revokedAt: nil)
        }
    }

    public func consumers() async throws(ReceiverStoreError) -> [FeedConsumer] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT * FROM receiver_consumers ORDER BY name").map(Self.consumer)
        }
    }

    public func activeConsumers() async throws(ReceiverStoreError) -> [ConsumerCredential] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT name, token_sha256 FROM receiver_consumers WHERE revoked_at IS NULL")
                .map { ConsumerCredential(name: $0["name"], tokenSHA256: $0["token_sha256"]) }
        }
    }

    public func revokeConsumer(name: String) async throws(ReceiverStoreError) -> FeedConsumer {
        try await writing { db in
            try db.execute(
                sql: "UPDATE receiver_consumers SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                arguments: [Timestamp.now().iso8601, name])
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM receiver_consumers WHERE name = ?", arguments: [name])
            else { throw ReceiverStoreError.unknownConsumer(name: name) }
            return Self.consumer(row)
        }
    }

    public func markConsumerUsed(name: String, at time: String) async throws(ReceiverStoreError) {
        try await writing { db in
            try db.execute(
                sql: "UPDATE receiver_consumers SET last_used_at = ? WHERE name = ?", arguments: [time, name])
        }
    }

    static func consumer(_ row: Row) -> FeedConsumer {
        FeedConsumer(
            name: row["name"], createdAt: row["created_at"], lastUsedAt: row["last_used_at"],
            revokedAt: row["revoked_at"])
    }
}
