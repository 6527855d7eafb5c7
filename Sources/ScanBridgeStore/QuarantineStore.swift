import FoundationEssentials
import GRDB
import ScanBridgeCore

/// The local quarantine: payloads held back with their raw bytes, until a profile fix
/// releases them or an operator discards them with a reason.
public struct QuarantineStore: Sendable {
    public struct Entry: Sendable {
        public var id: String
        public var deviceID: String
        public var receivedAt: Timestamp
        public var reasonCode: String
        public var reason: String
        public var raw: [UInt8]
        public var profile: String?
        public var errorsJSON: String
        public var firmware: String?
        public var state: String
        public var resolution: String?
    }

    public struct Alert: Sendable {
        public var id: Int64
        public var deviceID: String
        public var kind: String
        public var detail: String
        public var raisedAt: Timestamp
    }

    public let database: StateDatabase

    public init(database: StateDatabase) {
        self.database = database
    }

    public func entries(state: String? = nil, deviceID: String? = nil, since: Timestamp? = nil, limit: Int = 10_000)
        throws(StoreError) -> [Entry]
    {
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let state {
            clauses.append("status = ?")
            arguments.append(state)
        }
        if let deviceID {
            clauses.append("device_id = ?")
            arguments.append(deviceID)
        }
        if let since {
            clauses.append("received_at_us >= ?")
            arguments.append(since.microsecondsSinceEpoch)
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments.append(limit)
        do {
            return try database.pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM quarantine \(filter) ORDER BY received_at_us, id LIMIT ?",
                    arguments: StatementArguments(arguments)
                ).map(Self.entry)
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    public func entry(_ id: String) throws(StoreError) -> Entry? {
        do {
            return try database.pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM quarantine WHERE id = ?", arguments: [id]).map(Self.entry)
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    /// Discards a held entry; the reason is kept, and so are the raw bytes.
    public func discard(_ id: String, reason: String) throws(StoreError) -> Bool {
        do {
            return try database.pool.write { db in
                try db.execute(
                    sql: """
                        UPDATE quarantine SET status = 'discarded', resolution = ?, resolved_at_us = ?
                        WHERE id = ? AND status = 'held'
                        """, arguments: [reason, Timestamp.now().microsecondsSinceEpoch, id])
                return db.changesCount == 1
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    public func openAlerts() throws(StoreError) -> [Alert] {
        do {
            return try database.pool.read { db in try Self.openAlerts(db) }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    static func openAlerts(_ db: Database) throws -> [Alert] {
        try Row.fetchAll(db, sql: "SELECT * FROM alerts WHERE closed_at_us IS NULL ORDER BY id").map {
            Alert(
                id: $0["id"], deviceID: $0["device_id"], kind: $0["kind"], detail: $0["detail"],
                raisedAt: Timestamp(microsecondsSinceEpoch: $0["raised_at_us"]))
        }
    }

    /// Closes the open alerts of devices that no longer have anything held: the drift they
    /// reported has been answered by a profile.
    @discardableResult
    public func closeResolvedAlerts(reason: String) throws(StoreError) -> Int {
        do {
            return try database.pool.write { db in
                try db.execute(
                    sql: """
                        UPDATE alerts SET closed_at_us = ?, closed_reason = ?
                        WHERE closed_at_us IS NULL AND kind != 'profile_bundle'
                          AND device_id NOT IN (SELECT device_id FROM quarantine WHERE status = 'held')
                        """, arguments: [Timestamp.now().microsecondsSinceEpoch, reason])
                return db.changesCount
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    private static func entry(_ row: Row) -> Entry {
        Entry(
            id: row["id"], deviceID: row["device_id"],
            receivedAt: Timestamp(microsecondsSinceEpoch: row["received_at_us"]), reasonCode: row["reason_code"],
            reason: row["reason"], raw: [UInt8](row["raw"] as Data), profile: row["profile"],
            errorsJSON: row["errors"], firmware: row["firmware"], state: row["status"], resolution: row["resolution"])
    }
}
