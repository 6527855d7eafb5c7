import GRDB
import GRDBSQLite

/// Inserts a batch's events with one prepared statement bound through SQLite's C API: the
/// receiver writes every event of every batch, and GRDB's argument boxing cost more per row
/// than SQLite's own insert (about a tenth of a 500-event batch's commit).
enum ReceiverEventRows {
    static func insert(_ batch: WireBatch, into db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO receiver_events (agent_id, seq, id, type, occurred_at, batch_seq, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        for event in batch.events {
            sqlite3_reset(handle)
            bind(batch.agentID, at: 1, in: handle)
            sqlite3_bind_int64(handle, 2, event.seq)
            bind(event.id, at: 3, in: handle)
            bind(event.type, at: 4, in: handle)
            bind(event.occurredAt, at: 5, in: handle)
            sqlite3_bind_int64(handle, 6, batch.batchSeq)
            let code = event.bytes.withUnsafeBytes { body in
                // A zero-length blob still binds as a blob, never NULL (NOT NULL column).
                sqlite3_bind_blob(
                    handle, 7, body.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(body.count), nil)
                return sqlite3_step(handle)
            }
            guard code == SQLITE_DONE else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
            }
        }
    }

    /// SQLite copies the text (SQLITE_TRANSIENT), so the String's storage may go right after.
    private static func bind(_ text: String, at index: Int32, in handle: OpaquePointer) {
        var text = text
        text.withUTF8 { utf8 in
            _ = sqlite3_bind_text(
                handle, index, UnsafeRawPointer(utf8.baseAddress!).assumingMemoryBound(to: CChar.self),
                Int32(utf8.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
    }
}
