import GRDB
import ScanBridgeCore

/// Alerts the agent raises about itself rather than about a payload (a profile bundle it
/// refused): kept in the same table as drift alerts, so `status` and the page show them, but
/// with no event behind them.
public struct AlertStore: Sendable {
    let database: StateDatabase

    public init(database: StateDatabase) {
        self.database = database
    }

    /// Raises an alert unless the same one is open already (a poll every few minutes must not
    /// pile up copies); returns whether it is new.
    @discardableResult
    public func raise(deviceID: String, kind: String, detail: String, at time: Timestamp = .now()) throws(StoreError)
        -> Bool
    {
        do {
            return try database.pool.write { db in
                let open =
                    try Bool.fetchOne(
                        db,
                        sql: """
                            SELECT EXISTS (SELECT 1 FROM alerts
                            WHERE device_id = ? AND kind = ? AND detail = ? AND closed_at_us IS NULL)
                            """, arguments: [deviceID, kind, detail]) ?? false
                guard !open else { return false }
                try db.execute(
                    sql: "INSERT INTO alerts (device_id, kind, detail, raised_at_us) VALUES (?, ?, ?, ?)",
                    arguments: [deviceID, kind, detail, time.microsecondsSinceEpoch])
                return true
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    /// Closes every open alert of `kind`; returns how many.
    @discardableResult
    public func close(kind: String, reason: String) throws(StoreError) -> Int {
        do {
            return try database.pool.write { db in
                try db.execute(
                    sql:
                        "UPDATE alerts SET closed_at_us = ?, closed_reason = ? WHERE kind = ? AND closed_at_us IS NULL",
                    arguments: [Timestamp.now().microsecondsSinceEpoch, reason, kind])
                return db.changesCount
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }
}
