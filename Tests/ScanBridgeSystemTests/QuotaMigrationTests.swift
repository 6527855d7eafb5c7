import Foundation
import GRDB
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeStore
import ScanBridgeTools
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

/// An upgrade must never leave a workshop without its agent: a migration that copies stored
/// batches may not fail for the storage quota.
@Suite("Migrations under the storage quota", .system)
struct QuotaMigrationTests {
    static let quotaBytes = 1 << 20

    /// Turns a current state database back into the v2 layout (bodies and signatures inside
    /// `batches`), as a release before `v3-batch-bodies` left it.
    static func downgradeToV2(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    CREATE TABLE batches_v2 (
                        batch_seq INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
                        event_count INTEGER NOT NULL, body BLOB NOT NULL, sha256 TEXT NOT NULL, jws TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'acknowledged', 'parked')),
                        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at_us INTEGER NOT NULL,
                        acked_at_us INTEGER);
                    INSERT INTO batches_v2
                        SELECT b.batch_seq, b.first_seq, b.last_seq, b.event_count, d.body, b.sha256, d.jws, b.status,
                               b.attempts, b.last_error, b.created_at_us, b.acked_at_us
                        FROM batches b JOIN batch_bodies d USING (batch_seq);
                    DROP TABLE batches;
                    DROP TABLE batch_bodies;
                    ALTER TABLE batches_v2 RENAME TO batches;
                    CREATE INDEX batches_open ON batches(status) WHERE status != 'acknowledged';
                    DELETE FROM grdb_migrations WHERE identifier = 'v3-batch-bodies';
                    PRAGMA wal_checkpoint(TRUNCATE);
                    VACUUM;
                    """)
        }
    }

    static func fileBytes(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in
            try (Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0) * (Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
        }
    }

    @Test("a v2 outbox at about 90 % of state_max_mb opens, migrates, prunes what is acknowledged and forwards")
    func upgradeNearQuota() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let port = receiver.port
        let directory = TestSupport.temporaryDirectory("quota-upgrade")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let terminal = try TestSupport.terminal()
        var configuration = AgentConfiguration(stateDirectory: directory, signingKeyPath: holder.directory + "/key.jwk")
        var upstream = AgentConfiguration.Upstream(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        upstream.batchLimits = .init(maxEvents: 100, maxBytes: 65_536, maxAgeMilliseconds: 20)
        configuration.upstream = upstream
        configuration.devices = [.init(path: terminal.devicePath, baud: 115_200, id: "pty")]
        var logger = Logger(label: "quota-upgrade")
        logger.logLevel = .critical

        func scans(_ range: Range<Int>) -> [UInt8] {
            Array(
                range.map {
                    "]C101" + BarcodeSimulator.withCheckDigit(String(format: "%013d", $0)) + "10LOT-7\u{1D}91"
                        + String(repeating: "X", count: 60) + "\r\n"
                }.joined().utf8)
        }

        // The previous release's outbox: acknowledged batches until the file nears the quota.
        let before = try Agent(configuration: configuration, logger: logger)
        let running = Task { try await before.run() }
        defer { running.cancel() }
        var sent = 0
        while try Self.fileBytes(configuration.databasePath) < Self.quotaBytes * 82 / 100, sent < 4000 {
            try terminal.write(scans(sent..<sent + 20))
            sent += 20
            let expected = sent
            #expect(await TestSupport.eventually(seconds: 30) { before.counters.snapshot.acknowledged == expected })
        }
        running.cancel()
        try await running.value
        try Self.downgradeToV2(configuration.databasePath)
        let size = try Self.fileBytes(configuration.databasePath)
        #expect(
            size > Self.quotaBytes * 8 / 10 && size < Self.quotaBytes, "v2 file of \(size) bytes after \(sent) scans")

        configuration.stateMaxMegabytes = Self.quotaBytes >> 20
        let after = try Agent(configuration: configuration, logger: logger)
        let upgraded = Task { try await after.run() }
        defer { upgraded.cancel() }
        try terminal.write(scans(sent..<sent + 5))
        let forwarded = await TestSupport.eventually(seconds: 30) {
            (try? receiver.store.eventCount(agentID: after.agentID)) == sent + 5
        }
        upgraded.cancel()
        try await upgraded.value
        await receiver.stop()
        let held = try receiver.store.eventCount(agentID: after.agentID)
        #expect(forwarded, "the receiver holds \(held) of \(sent + 5)")
        let columns = try await after.database.pool.read { db in try db.columns(in: "batches").map(\.name) }
        #expect(!columns.contains("body"), "migrated to v3")
    }
}
