import GRDB
import GRDBSQLite
import ScanBridgeWire

/// Inserts a batch's events with one prepared statement bound through SQLite's C API: the
/// receiver writes every event of every batch, and GRDB's boxing of each row's arguments was
/// about a fifth of a 500-event batch's commit.
enum ReceiverEventRows {
    static func insert(_ batch: WireBatch, into db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO receiver_events (agent_id, seq, id, type, occurred_at, batch_seq, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        let handle = statement.sqliteStatement
        func check(_ code: Int32, is expected: Int32 = SQLITE_OK) throws {
            guard code == expected else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
            }
        }
        sqlite3_reset(handle)
        // The blob is bound without a copy; no binding outlives this call.
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        // A reset keeps the bindings: the batch's own columns are bound once for all its rows.
        try check(bind(batch.agentID, at: 1, in: handle))
        try check(sqlite3_bind_int64(handle, 6, batch.batchSeq))
        for event in batch.events {
            try check(sqlite3_bind_int64(handle, 2, event.seq))
            try check(bind(event.id, at: 3, in: handle))
            try check(bind(event.type, at: 4, in: handle))
            try check(bind(event.occurredAt, at: 5, in: handle))
            let stepped = event.bytes.withUnsafeBytes { body in
                // A zero-length blob still binds as a blob, never NULL (NOT NULL column).
                let blob = sqlite3_bind_blob(
                    handle, 7, body.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(body.count), nil)
                return blob == SQLITE_OK ? sqlite3_step(handle) : blob
            }
            try check(stepped, is: SQLITE_DONE)
            sqlite3_reset(handle)
        }
    }

    /// SQLite copies the text (SQLITE_TRANSIENT), so the String's storage may go right after.
    private static func bind(_ text: String, at index: Int32, in handle: OpaquePointer) -> Int32 {
        var text = text
        return text.withUTF8 { utf8 in
            guard let start = utf8.baseAddress, utf8.count > 0 else {
                return sqlite3_bind_text(handle, index, "", 0, nil)
            }
            return sqlite3_bind_text(
                handle, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), Int32(utf8.count),
                unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
    }
}
