import GRDB
import ScanBridgeCore

/// Every device the agent has seen, its last firmware, and the payload shapes it has sent.
public struct DeviceRegistry: Sendable {
    public let database: StateDatabase

    public init(database: StateDatabase) {
        self.database = database
    }

    public func device(_ id: String) throws(StoreError) -> DeviceRecord? {
        do {
            return try database.pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM devices WHERE id = ?", arguments: [id]).map {
                    DeviceRecord(
                        id: $0["id"], path: $0["path"], vendorID: $0["vendor_id"], productID: $0["product_id"],
                        serial: $0["serial"], firmware: $0["firmware"], transport: $0["transport"],
                        profile: $0["profile"])
                }
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    /// Records a device seen for the first time (no event: a first sighting is not a change).
    public func record(_ device: DeviceRecord) throws(StoreError) {
        do {
            try database.pool.write { db in try Self.upsert(device, at: Timestamp.now().microsecondsSinceEpoch, db: db)
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    /// Fingerprint ids already seen from the device.
    public func fingerprints(of deviceID: String) throws(StoreError) -> Set<String> {
        do {
            return try database.pool.read { db in
                Set(
                    try String.fetchAll(
                        db, sql: "SELECT fingerprint FROM device_fingerprints WHERE device_id = ?",
                        arguments: [deviceID]))
            }
        } catch { throw StoreError.classify(error, path: database.path) }
    }

    static func upsert(_ device: DeviceRecord, at now: Int64, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO devices (id, path, vendor_id, product_id, serial, firmware, transport, profile, first_seen_us, last_seen_us)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET path = excluded.path, vendor_id = excluded.vendor_id,
                    product_id = excluded.product_id, serial = excluded.serial, firmware = excluded.firmware,
                    transport = excluded.transport, profile = excluded.profile, last_seen_us = excluded.last_seen_us
                """,
            arguments: [
                device.id, device.path, device.vendorID, device.productID, device.serial, device.firmware,
                device.transport,
                device.profile, now, now,
            ])
    }
}
