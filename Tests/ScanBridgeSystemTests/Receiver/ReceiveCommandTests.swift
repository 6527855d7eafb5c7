import Foundation
import GRDB
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// `scanbridge receive enrol | revoke | agents`, the binary serving enrolled keys, and stores
/// opened by two processes at once or written by an earlier release.
@Suite("Receive commands", .serialized, .childProcesses)
struct ReceiveCommandTests {
    static func scanbridge(_ arguments: [String]) throws -> AuditCommandTests.Result {
        try AuditCommandTests.scanbridge(arguments)
    }

    @Test("SQLite: enrol a JWK with or without kid and a JWKS, refuse another agent's key, revoke, list")
    func sqliteEnrolment() async throws {
        try Self.enrolment(store: TestSupport.temporaryDirectory("enrol") + "/receiver.sqlite")
    }

    @Test(
        "PostgreSQL: enrol a JWK with or without kid and a JWKS, refuse another agent's key, revoke, list",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func postgresEnrolment() async throws {
        try Self.enrolment(store: try await PostgresTestSupport.freshDatabase("enrol"))
    }

    static func enrolment(store: String) throws {
        let directory = TestSupport.temporaryDirectory("keys")
        let a = SigningKey()
        let b = SigningKey()
        let c = SigningKey()
        let d = SigningKey()
        func write(_ text: String, _ name: String) throws -> String {
            let path = directory + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let withoutKid = try write(#"{"kty":"OKP","crv":"Ed25519","x":"\#(a.publicJWK.x)"}"#, "a.jwk")
        let withKid = try write(b.publicJWK.json, "b.jwk")
        let jwks = try write(#"{"keys":[\#(c.publicJWK.json),\#(d.publicJWK.json)]}"#, "cd.jwks")
        let mislabelled = try write(
            #"{"kty":"OKP","crv":"Ed25519","x":"\#(a.publicJWK.x)","kid":"\#(b.kid)"}"#, "bad.jwk")

        let enrolled = try scanbridge(["receive", "enrol", "--store", store, "--jwk", withoutKid, "--agent", "agent-a"])
        #expect(
            enrolled.status == 0 && enrolled.output.contains("enrolled kid \(a.kid) for agent agent-a"),
            "\(enrolled.output)")
        let again = try scanbridge(["receive", "enrol", "--store", store, "--jwk", withoutKid, "--agent", "agent-a"])
        #expect(again.status == 0 && again.output.contains("already enrolled"), "\(again.output)")
        let stolen = try scanbridge(["receive", "enrol", "--store", store, "--jwk", withoutKid, "--agent", "agent-b"])
        #expect(stolen.status == 1 && stolen.output.contains("already enrolled to agent agent-a"), "\(stolen.output)")
        #expect(
            try scanbridge(["receive", "enrol", "--store", store, "--jwk", withKid, "--agent", "agent-b"]).status == 0)
        let pair = try scanbridge(["receive", "enrol", "--store", store, "--jwk", jwks, "--agent", "agent-c"])
        #expect(pair.status == 0 && pair.output.contains(c.kid) && pair.output.contains(d.kid), "\(pair.output)")
        let bad = try scanbridge(["receive", "enrol", "--store", store, "--jwk", mislabelled, "--agent", "agent-x"])
        #expect(bad.status == 1 && bad.output.contains("thumbprint"), "\(bad.output)")

        let revoked = try scanbridge(["receive", "revoke", "--store", store, "--kid", c.kid])
        #expect(
            revoked.status == 0 && revoked.output.contains("revoked kid \(c.kid) of agent agent-c"), "\(revoked.output)"
        )
        let unknown = try scanbridge(["receive", "revoke", "--store", store, "--kid", SigningKey().kid])
        #expect(unknown.status == 1 && unknown.output.contains("receive agents"), "\(unknown.output)")
        // One thumbprint in 64 begins with a dash; it is still a value, never an option.
        let dashed = sequence(first: SigningKey()) { _ in SigningKey() }.first { $0.kid.hasPrefix("-") }!
        let dashedUnknown = try scanbridge(["receive", "revoke", "--store", store, "--kid", dashed.kid])
        #expect(
            dashedUnknown.status == 1 && dashedUnknown.output.contains("receive agents"), "\(dashedUnknown.output)")
        let reenrol = try scanbridge(["receive", "enrol", "--store", store, "--jwk", jwks, "--agent", "agent-c"])
        #expect(reenrol.status == 1 && reenrol.output.contains("revoked"), "\(reenrol.output)")

        let listed = try scanbridge(["receive", "agents", "--store", store, "--json"])
        #expect(listed.status == 0, "\(listed.output)")
        // The document is the line that starts with "{" (standard error shares the pipe).
        let document = try #require(listed.output.split(separator: "\n").first { $0.hasPrefix("{") }, "\(listed.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let agents = try #require(json["agents"] as? [[String: Any]])
        #expect(agents.compactMap { $0["agent_id"] as? String } == ["agent-a", "agent-b", "agent-c"])
        for agent in agents {
            #expect(
                Set(agent.keys)
                    == [
                        "agent_id", "last_batch_seq", "last_event_seq", "last_occurred_at", "lag_seconds", "gaps",
                        "keys",
                    ])
        }
        let keys = try #require(agents[2]["keys"] as? [[String: Any]])
        #expect(Set(keys.compactMap { $0["kid"] as? String }) == [c.kid, d.kid])
        #expect(keys.first { $0["kid"] as? String == c.kid }?["revoked_at"] is String)
        #expect(keys.first { $0["kid"] as? String == d.kid }?["revoked_at"] is NSNull)
        let text = try scanbridge(["receive", "agents", "--store", store])
        #expect(text.status == 0 && text.output.contains("agent-b: last batch 0") && text.output.contains("revoked"))

        #expect(try scanbridge(["receive", "enrol", "--store", store, "--jwk", withKid]).status == 2)
        #expect(try scanbridge(["receive", "agents", "--store", "mysql://db/x"]).status == 2)
    }

    @Test("the binary trusts keys enrolled in its store, and a revocation holds without a restart")
    func servesEnrolledKeys() async throws {
        let directory = TestSupport.temporaryDirectory("serve")
        let store = directory + "/receiver.sqlite"
        let key = SigningKey()
        try Data(key.publicJWK.json.utf8).write(to: URL(fileURLWithPath: directory + "/agent.jwk"))
        #expect(
            try Self.scanbridge([
                "receive", "enrol", "--store", store, "--jwk", directory + "/agent.jwk", "--agent", "agent-test",
            ]).status == 0)
        let added = try await ConsumerTestSupport.run(["receive", "consumer", "add", "--store", store, "--name", "ops"])
        #expect(added.status == 0, "\(added.stderr)")
        let receiver = try await ReceiverProcess.start(store: store)
        let http = ReceiverHTTP(token: added.stdout.trimmingCharacters(in: .newlines))
        var factory = BatchFactory(key: key)
        let first = try factory.next(events: 2)
        let accepted = try await http.post(receiver.url, body: first.body, signature: first.jws)
        #expect(accepted.body == #"{"status":"accepted","batch_seq":1}"#)
        #expect(try Self.scanbridge(["receive", "revoke", "--store", store, "--kid", key.kid]).status == 0)
        let second = try factory.next(events: 1)
        let refused = try await http.post(receiver.url, body: second.body, signature: second.jws)
        #expect(refused.status == 401 && refused.isJSON(["error": "unknown_key"]))
        let metrics = try await http.get(receiver.url + "/metrics")
        #expect(metrics.body.contains(#"scanbridge_receiver_batches_total{result="unknown_key"} 1"#))
        await http.shutdown()
        #expect(await receiver.stop() == 0, "\(receiver.log)")
        let verify = try Self.scanbridge(["verify", "--store", store, "--trust", directory + "/agent.jwk"])
        #expect(verify.status == 0 && verify.output.contains("ok agent-test"), "\(verify.output)")
    }

    @Test("the embedded form `receive --listen … --store FILE --trust FILE` works as before")
    func trustFile() async throws {
        let directory = TestSupport.temporaryDirectory("trust")
        let key = SigningKey()
        try Data(key.publicJWK.json.utf8).write(to: URL(fileURLWithPath: directory + "/agent.jwk"))
        let added = try await ConsumerTestSupport.run([
            "receive", "consumer", "add", "--store", directory + "/receiver.sqlite", "--name", "finance",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let receiver = try await ReceiverProcess.start(
            store: directory + "/receiver.sqlite", extra: ["--trust", directory + "/agent.jwk"])
        let http = ReceiverHTTP(token: added.stdout.trimmingCharacters(in: .newlines))
        var factory = BatchFactory(key: key)
        let batch = try factory.next(events: 3)
        let answer = try await http.post(
            receiver.url, body: batch.body, signature: batch.jws, idempotencyKey: "agent-test/1")
        #expect(answer.body == #"{"status":"accepted","batch_seq":1}"#)
        let agent = try await http.get(receiver.url + "/v1/agents/agent-test")
        #expect(agent.json?["last_event_seq"] as? Int == 3)
        await http.shutdown()
        #expect(await receiver.stop() == 0, "\(receiver.log)")
    }

    @Test("two processes opening a new SQLite store at once both migrate it without error")
    func concurrentSQLiteMigration() async throws {
        try await Self.openTwiceAtOnce(TestSupport.temporaryDirectory("migrate") + "/receiver.sqlite")
    }

    @Test(
        "two processes opening a new PostgreSQL store at once both migrate it without error",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func concurrentPostgresMigration() async throws {
        try await Self.openTwiceAtOnce(try await PostgresTestSupport.freshDatabase("migrate"))
    }

    static func openTwiceAtOnce(_ store: String) async throws {
        for _ in 0..<3 {
            async let one = TestSupport.onThreadValue {
                try? scanbridge(["receive", "agents", "--store", store, "--json"])
            }
            async let other = TestSupport.onThreadValue {
                try? scanbridge(["receive", "agents", "--store", store, "--json"])
            }
            for result in await [one, other] {
                #expect(
                    result?.status == 0 && result?.output.contains(#"{"agents":[]}"#) == true, "\(result?.output ?? "")"
                )
            }
        }
    }

    @Test(
        "a SQLite store written before enrolment and the feed existed keeps working: feed in commit order, chain continues"
    )
    func migratesEarlierStore() async throws {
        let path = TestSupport.temporaryDirectory("old-store") + "/receiver.sqlite"
        let key = SigningKey()
        var first = BatchFactory(key: key, agentID: "agent-one")
        var second = BatchFactory(key: key, agentID: "agent-two")
        let batches = [
            ("agent-one", try first.next(events: 2)), ("agent-two", try second.next(events: 3)),
            ("agent-one", try first.next(events: 1)),
        ]
        try SQLiteReceiverSchemaV1.write(path: path, batches: batches, kid: key.kid)

        let store = try SQLiteReceiverStore(path: path)
        let feed = try await store.events(after: .start, limit: 100)
        #expect(feed.map(\.agentID) == ["agent-one", "agent-one", "agent-two", "agent-two", "agent-two", "agent-one"])
        #expect(feed.map(\.cursor.position) == [1, 1, 2, 2, 2, 3])
        let one = try #require(try await store.agentSummary("agent-one"))
        #expect(one.lastBatchSeq == 2 && one.lastEventSeq == 3 && one.gaps.isEmpty && one.lastOccurredAt != nil)
        let next = try first.next(events: 1)
        #expect(
            try await store.accept(try WireBatch.parse(next.body), body: next.body, signature: next.jws, kid: key.kid)
                == .accepted)
        #expect(try await store.events(after: feed.last!.cursor, limit: 10).map(\.cursor.position) == [4])
        await store.close()
    }
}

/// The receiver tables as the first release created them.
enum SQLiteReceiverSchemaV1 {
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE receiver_batches (
                    agent_id TEXT NOT NULL, batch_seq INTEGER NOT NULL, sha256 TEXT NOT NULL, prev_sha256 TEXT,
                    first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, body BLOB NOT NULL, jws TEXT NOT NULL,
                    kid TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (agent_id, batch_seq));
                CREATE TABLE receiver_events (
                    agent_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
                    occurred_at TEXT NOT NULL, batch_seq INTEGER NOT NULL, body BLOB NOT NULL,
                    PRIMARY KEY (agent_id, seq));
                """)
    }

    /// A store as the first release left it, holding `batches`.
    static func write(path: String, batches: [(String, (body: [UInt8], jws: String))], kid: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('receiver-v1')")
            try create(db)
            for (agentID, batch) in batches {
                let wire = try WireBatch.parse(batch.body)
                try db.execute(
                    sql: """
                        INSERT INTO receiver_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        agentID, wire.batchSeq, BatchBody.sha256Hex(batch.body), wire.previousSHA256,
                        wire.events.first?.seq, wire.events.last?.seq, Data(batch.body), batch.jws, kid,
                        Timestamp.now().iso8601,
                    ])
                for event in wire.events {
                    try db.execute(
                        sql: "INSERT INTO receiver_events VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [
                            agentID, event.seq, event.id, event.type, event.occurredAt, wire.batchSeq,
                            Data(event.bytes),
                        ])
                }
            }
        }
        try queue.close()
    }
}
