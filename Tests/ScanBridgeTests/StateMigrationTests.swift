import Foundation
import GRDB
import ScanBridgeCore
import Testing

@testable import ScanBridgeStore
@testable import ScanBridgeTestSupport

/// An agent upgraded in place keeps its outbox: batches signed by the previous release are
/// resent and exported byte for byte after the state database is migrated.
@Suite("State database migrations", .temporaryDirectory)
struct StateMigrationTests {
    @Test("batch bodies and signatures move to batch_bodies unchanged; the chain continues after the upgrade")
    func batchBodiesMove() throws {
        let path = TestSupport.temporaryDirectory("migration") + "/scanbridge.sqlite"
        let body = Array(#"{"agent_id":"agent-old","batch_seq":1,"prev_sha256":null,"events":[]}"#.utf8)
        do {
            let queue = try DatabaseQueue(path: path)
            try StateDatabase.migrator.migrate(queue, upTo: "v2-profiles-drift-quarantine")
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO batches (batch_seq, first_seq, last_seq, event_count, body, sha256, jws, status,
                                             attempts, created_at_us, acked_at_us)
                        VALUES (1, 1, 3, 3, ?, 'aa', 'h..s1', 'acknowledged', 1, 10, 20),
                               (2, 4, 5, 2, ?, 'bb', 'h..s2', 'pending', 0, 30, NULL)
                        """, arguments: [Data(body), Data(body + [0x20])])
            }
        }
        let database = try StateDatabase(path: path)
        let batches = OutboxBatches(database: database)
        let first = try #require(try batches.batch(1))
        #expect(first.body == body && first.jws == "h..s1" && first.status == .acknowledged && first.lastSeq == 3)
        let open = try #require(try batches.openBatch())
        #expect(open.batchSeq == 2 && open.body == body + [0x20] && open.jws == "h..s2" && open.sha256 == "bb")
        #expect(try batches.chainHead().batchSeq == 2)
        #expect(try batches.chainHead().sha256 == "bb")
        let columns = try database.pool.read { db in try db.columns(in: "batches").map(\.name) }
        #expect(!columns.contains("body") && !columns.contains("jws"))
    }
}
