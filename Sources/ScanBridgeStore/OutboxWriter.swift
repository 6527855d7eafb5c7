import FoundationEssentials
import GRDB
import ScanBridgeCore

/// Appends events to the outbox with group commit.
///
/// Every caller waits for the transaction that holds its events; while one transaction is
/// being written, new arrivals queue up and go into the next one together. Throughput then
/// grows with load while each event still costs exactly one durable commit before it counts
/// as received. `seq` is assigned inside the transaction, so it has no gaps.
public actor OutboxWriter {
    private let database: StateDatabase
    private var queue: [(entries: [OutboxEntry], continuation: CheckedContinuation<[Int64], any Error>)] = []
    private var flushing = false
    private let maximumEntriesPerTransaction = 4096
    private let onCommit: @Sendable (_ lastSeq: Int64, _ count: Int) -> Void

    public init(
        database: StateDatabase, onCommit: @escaping @Sendable (_ lastSeq: Int64, _ count: Int) -> Void = { _, _ in }
    ) {
        self.database = database
        self.onCommit = onCommit
    }

    /// Stores the entries durably, in order, and returns their sequence numbers.
    @discardableResult
    public func append(_ entries: [OutboxEntry]) async throws -> [Int64] {
        guard !entries.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            queue.append((entries, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    @discardableResult
    public func append(_ entry: OutboxEntry) async throws -> Int64 {
        try await append([entry])[0]
    }

    private func flush() async {
        while !queue.isEmpty {
            var taken = 0
            var group: [(entries: [OutboxEntry], continuation: CheckedContinuation<[Int64], any Error>)] = []
            while let first = queue.first, taken == 0 || taken + first.entries.count <= maximumEntriesPerTransaction {
                taken += first.entries.count
                group.append(queue.removeFirst())
            }
            let batches = group.map(\.entries)
            do {
                let limit = database.eventPageLimit
                let path = database.path
                let sequences = try await database.pool.write { db in
                    if let limit, try Self.usedPages(db) >= limit { throw StoreError.diskFull(path: path) }
                    return try Self.insert(batches, db: db)
                }
                for (index, item) in group.enumerated() { item.continuation.resume(returning: sequences[index]) }
                if let last = sequences.last?.last { onCommit(last, taken) }
            } catch {
                let failure = StoreError.classify(error, path: database.path)
                for item in group { item.continuation.resume(throwing: failure) }
            }
        }
        flushing = false
    }

    static func usedPages(_ db: Database) throws -> Int {
        let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        return pages - free
    }

    private static func insert(_ groups: [[OutboxEntry]], db: Database) throws -> [[Int64]] {
        // Acknowledged events may have been pruned: the batches remember how far seq went.
        var seq =
            try Int64.fetchOne(
                db,
                sql:
                    "SELECT max(coalesce((SELECT max(seq) FROM events), 0), coalesce((SELECT max(last_seq) FROM batches), 0))"
            ) ?? 0
        let now = Timestamp.now().microsecondsSinceEpoch
        let insertEvent = try db.cachedStatement(
            sql: """
                INSERT INTO events (seq, id, type, device_id, occurred_at_us, stored_at_us, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        var counts: [DeviceCountKey: (count: Int64, last: Int64)] = [:]
        var result: [[Int64]] = []
        result.reserveCapacity(groups.count)
        for entries in groups {
            var sequences: [Int64] = []
            sequences.reserveCapacity(entries.count)
            for entry in entries {
                seq += 1
                let event = entry.event
                try insertEvent.execute(arguments: [
                    seq, event.id.description, event.type.rawValue, event.device.id,
                    event.occurredAt.microsecondsSinceEpoch, now, Data(event.serialized(seq: seq)),
                ])
                for effect in entry.effects {
                    try apply(effect, for: event, now: now, db: db)
                }
                let key = DeviceCountKey(deviceID: event.device.id, type: event.type.rawValue)
                let previous = counts[key]
                counts[key] = (
                    (previous?.count ?? 0) + 1, max(previous?.last ?? 0, event.occurredAt.microsecondsSinceEpoch)
                )
                sequences.append(seq)
            }
            result.append(sequences)
        }
        for (key, value) in counts {
            try db.execute(
                sql: """
                    INSERT INTO device_counts (device_id, type, count, last_at_us) VALUES (?, ?, ?, ?)
                    ON CONFLICT (device_id, type) DO UPDATE
                    SET count = count + excluded.count, last_at_us = max(last_at_us, excluded.last_at_us)
                    """,
                arguments: [key.deviceID, key.type, value.count, value.last])
        }
        return result
    }
}

extension OutboxWriter {
    fileprivate static func apply(_ effect: OutboxEffect, for event: PendingEvent, now: Int64, db: Database) throws {
        switch effect {
        case .quarantine(let record):
            try db.execute(
                sql: """
                    INSERT INTO quarantine (id, device_id, received_at_us, reason_code, reason, raw, profile, errors, firmware)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.id.description, event.device.id, event.occurredAt.microsecondsSinceEpoch, record.reasonCode,
                    record.reason, Data(record.raw), record.profile, record.errorsJSON, record.firmware,
                ])
        case .fingerprint(let id, let paths):
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO device_fingerprints (device_id, fingerprint, paths, first_seen_us)
                    VALUES (?, ?, ?, ?)
                    """, arguments: [event.device.id, id, paths.joined(separator: "\n"), now])
        case .alert(let kind, let detail):
            try db.execute(
                sql: "INSERT INTO alerts (device_id, kind, detail, raised_at_us) VALUES (?, ?, ?, ?)",
                arguments: [event.device.id, kind, detail, now])
        case .device(let record):
            try DeviceRegistry.upsert(record, at: now, db: db)
        case .release(let quarantineID):
            try db.execute(
                sql: """
                    UPDATE quarantine SET status = 'released', released_event_id = ?, resolved_at_us = ?
                    WHERE id = ? AND status = 'held'
                    """, arguments: [event.id.description, now, quarantineID])
            guard db.changesCount == 1 else {
                throw StoreError.inconsistent("quarantine entry \(quarantineID) is no longer held")
            }
        }
    }
}

private struct DeviceCountKey: Hashable {
    var deviceID: String
    var type: String
}

extension StoreError {
    static func classify(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL {
            return .diskFull(path: path)
        }
        return .io(path: path, reason: String(describing: error))
    }
}
