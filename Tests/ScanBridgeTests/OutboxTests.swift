import Foundation
import GRDB
import ScanBridgeCore
import ScanBridgeStore
import Testing

@testable import ScanBridgeTestSupport

@Suite("Outbox", .temporaryDirectory)
struct OutboxTests {
    static func entry(_ text: String, at time: Timestamp = .now(), synchronized: Bool = true) -> OutboxEntry {
        var data = JSONWriter()
        data.beginObject()
        data.field("text", text)
        data.endObject()
        return OutboxEntry(
            event: PendingEvent(
                type: .barcodeScanned, occurredAt: time, device: DeviceIdentity(id: "d", transport: .serial),
                data: data.bytes, raw: Array(text.utf8), clockSynchronized: synchronized))
    }

    @Test("concurrent writers get gapless, unique seq; every caller learns its own numbers")
    func gaplessUnderConcurrency() async throws {
        let database = try StateDatabase(path: TestSupport.temporaryDirectory("outbox") + "/state.sqlite")
        let writer = OutboxWriter(database: database)
        let assigned = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mine: [Int64] = []
                    for index in 0..<50 {
                        mine += try await writer.append((0..<4).map { Self.entry("t\(task)-\(index)-\($0)") })
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(assigned.sorted() == Array(1...1600))
        let stored = try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body FROM events ORDER BY seq")
        }
        #expect(stored.count == 1600)
        for row in stored {
            let seq: Int64 = row["seq"]
            let body = String(decoding: [UInt8](row["body"] as Data), as: UTF8.self)
            #expect(body.contains(#""seq":\#(seq),"#))
        }
    }

    @Test("a clock stepping backwards never reorders seq, and an unsynchronised clock is said so")
    func clockHonesty() async throws {
        let database = try StateDatabase(path: TestSupport.temporaryDirectory("clock") + "/state.sqlite")
        let writer = OutboxWriter(database: database)
        let now = Timestamp.now()
        let first = try await writer.append(Self.entry("a", at: now))
        let second = try await writer.append(
            Self.entry("b", at: now.adding(microseconds: -3_600_000_000), synchronized: false))
        #expect(first == 1 && second == 2)
        let body = try await database.pool.read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM events WHERE seq = 2")
        }
        let text = String(decoding: try #require(body), as: UTF8.self)
        #expect(text.contains(#""clock":"unsynced""#))
        let synchronized = String(decoding: Self.entry("c").event.serialized(seq: 3), as: UTF8.self)
        #expect(!synchronized.contains(#""clock""#))
    }

    @Test("the agent id is created once and kept; a different configured id is refused")
    func agentID() throws {
        let path = TestSupport.temporaryDirectory("agentid") + "/state.sqlite"
        let id = try StateDatabase(path: path).agentID()
        #expect(try StateDatabase(path: path).agentID() == id)
        #expect(throws: StoreError.self) { try StateDatabase(path: path).agentID(preferred: "other") }
    }
}
