import Foundation
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// The receiver's HTTP contract (issue 13), over real HTTP, on each store: every status and
/// JSON shape of `POST /v1/scan-batches`, the feed, the agents, enrolment and metrics.
@Suite("Receiver contract", .temporaryDirectory)
struct ReceiverContractTests {
    @Test("SQLite: every answer, the feed and the agents exactly as the contract writes them")
    func sqlite() async throws {
        try await Self.check(.sqlite)
    }

    @Test(
        "PostgreSQL: every answer, the feed and the agents exactly as the contract writes them",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func postgres() async throws {
        try await Self.check(.postgres)
    }

    static func check(_ backend: StoreBackend) async throws {
        let store = try await backend.open(try await backend.freshStore())
        let keyA = SigningKey()
        let keyB = SigningKey()
        let revoked = SigningKey()
        let fileKey = SigningKey()

        // Enrolment.
        #expect(try await store.enrol([keyA.publicJWK], agentID: "agent-a") == [.enrolled(kid: keyA.kid)])
        #expect(try await store.enrol([keyA.publicJWK], agentID: "agent-a") == [.alreadyEnrolled(kid: keyA.kid)])
        _ = try await store.enrol([keyB.publicJWK], agentID: "agent-b")
        _ = try await store.enrol([revoked.publicJWK], agentID: "agent-r")
        let revocation = try await store.revoke(kid: revoked.kid)
        #expect(revocation.revokedAt != nil && revocation.agentID == "agent-r")
        await #expect(throws: ReceiverStoreError.keyEnrolledToAnotherAgent(kid: keyA.kid, agentID: "agent-a")) {
            _ = try await store.enrol([keyA.publicJWK], agentID: "agent-b")
        }
        await #expect(throws: ReceiverStoreError.keyRevoked(kid: revoked.kid, agentID: "agent-r")) {
            _ = try await store.enrol([revoked.publicJWK], agentID: "agent-r")
        }
        await #expect(throws: ReceiverStoreError.unknownKey(kid: fileKey.kid)) {
            _ = try await store.revoke(kid: fileKey.kid)
        }
        #expect(try await store.enrolledKeys().map(\.kid).sorted() == [keyA.kid, keyB.kid, revoked.kid].sorted())

        let receiver = try await TestReceiver.start(
            store: store, trusted: TrustedKeys([fileKey.publicJWK]), maximumBodyBytes: 64 * 1024)
        let http = ReceiverHTTP(token: try await ConsumerTestSupport.token(for: store))
        do {
            try await batches(
                receiver: receiver, http: http, keyA: keyA, keyB: keyB, revoked: revoked, fileKey: fileKey)
            try await feed(receiver: receiver, http: http)
            try await agents(receiver: receiver, http: http)
        } catch {
            await http.shutdown()
            await receiver.stop()
            await store.close()
            throw error
        }
        await http.shutdown()
        await receiver.stop()
        await store.close()
    }

    static func batches(
        receiver: TestReceiver<any ReceiverStorage>, http: ReceiverHTTP, keyA: SigningKey, keyB: SigningKey,
        revoked: SigningKey, fileKey: SigningKey
    ) async throws {
        let url = receiver.url
        func post(_ batch: (body: [UInt8], jws: String), key: String? = nil) async throws -> ReceiverHTTP.Answer {
            try await http.post(url, body: batch.body, signature: batch.jws, idempotencyKey: key)
        }
        var a = BatchFactory(key: keyA, agentID: "agent-a")
        let a1 = try a.next(events: 3)
        let afterOne = a
        let a2 = try a.next(events: 2)
        var ahead = a
        let a3 = try ahead.next(events: 1)

        let accepted = try await post(a1, key: "agent-a/1")
        #expect(accepted.status == 200 && accepted.body == #"{"status":"accepted","batch_seq":1}"#)
        let repeated = try await post(a1, key: "agent-a/1")
        #expect(repeated.status == 200 && repeated.body == #"{"status":"repeat","batch_seq":1}"#)

        let outOfOrder = try await post(a3)
        #expect(outOfOrder.status == 409 && outOfOrder.isJSON(["error": "out_of_order", "expected_batch_seq": 2]))
        var forked = afterOne
        forked.previous = String(repeating: "0", count: 64)
        let broken = try await post(try forked.next(events: 1))
        #expect(broken.status == 409 && broken.isJSON(["error": "chain_broken", "expected_batch_seq": 2]))
        var skipping = afterOne
        skipping.nextSeq += 1
        let gap = try await post(try skipping.next(events: 1))
        #expect(gap.status == 409 && gap.isJSON(["error": "chain_broken", "expected_batch_seq": 2]))

        #expect(try await post(a2).body == #"{"status":"accepted","batch_seq":2}"#)
        var other = afterOne
        let conflict = try await post(try other.next(events: 5))
        #expect(conflict.status == 409 && conflict.isJSON(["error": "conflict", "expected_batch_seq": 3]))
        var restarted = BatchFactory(key: keyA, agentID: "agent-a")
        let early = try await post(try restarted.next(events: 1))
        #expect(early.status == 409 && early.isJSON(["error": "conflict", "expected_batch_seq": 3]))

        // Signatures and keys.
        var tampered = a3
        tampered.body = Array(
            String(decoding: a3.body, as: UTF8.self).replacingOccurrences(of: "agent-a", with: "agent-A").utf8)
        let badSignature = try await post(tampered)
        #expect(badSignature.status == 401 && badSignature.isJSON(["error": "bad_signature"]))
        let unsigned = try await http.post(url, body: a3.body, signature: nil)
        #expect(unsigned.status == 401 && unsigned.isJSON(["error": "bad_signature"]))
        let garbage = try await http.post(url, body: a3.body, signature: "not-a.jws")
        #expect(garbage.status == 401 && garbage.isJSON(["error": "bad_signature"]))
        var stranger = BatchFactory(key: SigningKey(), agentID: "agent-a")
        let unknown = try await post(try stranger.next(events: 1))
        #expect(unknown.status == 401 && unknown.isJSON(["error": "unknown_key"]))
        var revokedAgent = BatchFactory(key: revoked, agentID: "agent-r")
        let refused = try await post(try revokedAgent.next(events: 1))
        #expect(refused.status == 401 && refused.isJSON(["error": "unknown_key"]))
        var impostor = BatchFactory(key: keyB, agentID: "agent-a")
        let wrongAgent = try await post(try impostor.next(events: 1))
        #expect(wrongAgent.status == 403 && wrongAgent.isJSON(["error": "wrong_agent"]))

        // A key trusted by file signs for any agent.
        var fromFile = BatchFactory(key: fileKey, agentID: "agent-f")
        #expect(try await post(try fromFile.next(events: 4)).status == 200)

        // Size and shape.
        var large = BatchFactory(key: keyA, agentID: "agent-a")
        let oversize = try await post(try large.next(events: 400))
        #expect(oversize.status == 413)
        let malformed = try await http.post(
            url, body: Array(#"{"agent_id":"agent-a"}"#.utf8),
            signature: try DetachedJWS.sign(Array(#"{"agent_id":"agent-a"}"#.utf8), with: keyA))
        #expect(malformed.status == 400 && malformed.json?["error"] as? String == "malformed")
        let mismatched = try await post(a3, key: "agent-a/9")
        #expect(mismatched.status == 400)
        let nul = try unstorable(key: keyA)
        let refusedNUL = try await http.post(url, body: nul.body, signature: nul.jws)
        #expect(refusedNUL.status == 400)

        #expect(try await post(a3, key: "agent-a/3").body == #"{"status":"accepted","batch_seq":3}"#)

        let metrics = try await http.get(url + "/metrics")
        #expect(metrics.status == 200)
        for line in [
            #"scanbridge_receiver_batches_total{result="accepted"} 4"#,
            #"scanbridge_receiver_batches_total{result="repeat"} 1"#,
            #"scanbridge_receiver_batches_total{result="wrong_agent"} 1"#,
            #"scanbridge_receiver_batches_total{result="too_large"} 1"#,
            "scanbridge_receiver_events_total 10",
            #"scanbridge_receiver_agent_lag_seconds{agent_id="agent-a"}"#,
            "scanbridge_receiver_verify_duration_seconds_bucket",
            "scanbridge_receiver_commit_duration_seconds_bucket",
        ] {
            #expect(metrics.body.contains(line), "\(line) missing from /metrics")
        }
        #expect(try await http.get(url + "/readyz").status == 200)
    }

    /// A batch whose event id holds a NUL: well-formed JSON no store should keep.
    static func unstorable(key: SigningKey) throws -> (body: [UInt8], jws: String) {
        let event =
            #"{"id":"a\u0000b","seq":1,"type":"barcode.scanned","occurred_at":"2026-01-01T00:00:00Z","device":{},"data":{}}"#
        let body = BatchBody.build(
            agentID: "agent-n", batchSeq: 1, previousSHA256: nil, createdAt: .now(), events: [Array(event.utf8)])
        return (body, try DetachedJWS.sign(body, with: key))
    }

    static func feed(receiver: TestReceiver<any ReceiverStorage>, http: ReceiverHTTP) async throws {
        let url = receiver.url
        let all = try await http.get(url + "/v1/events")
        #expect(all.status == 200)
        let json = try #require(all.json)
        #expect(Set(json.keys) == ["events", "next_cursor"])
        let events = try #require(json["events"] as? [[String: Any]])
        // a1 (3), a2 (2), the file-trusted agent's batch (4), a3 (1): commit order.
        #expect(
            events.map { $0["agent_id"] as? String } == Array(repeating: "agent-a", count: 5)
                + Array(repeating: "agent-f", count: 4) + ["agent-a"])
        #expect(events.map { $0["batch_seq"] as? Int } == [1, 1, 1, 2, 2, 1, 1, 1, 1, 3])
        #expect(
            events.compactMap { ($0["event"] as? [String: Any])?["seq"] as? Int } == [1, 2, 3, 4, 5, 1, 2, 3, 4, 6])
        for event in events { #expect(Set(event.keys) == ["cursor", "agent_id", "batch_seq", "event"]) }
        let cursors = events.compactMap { $0["cursor"] as? String }
        #expect(Set(cursors).count == 10)
        #expect(json["next_cursor"] as? String == cursors.last)

        // Each event's bytes are exactly the signed ones (the body holds them verbatim).
        let stored = try await receiver.intake.store.batches(agentID: "agent-a", after: 0, limit: 10)
        for batch in stored {
            for event in try WireBatch.parse(batch.body).events {
                #expect(all.body.contains(String(decoding: event.bytes, as: UTF8.self)))
            }
        }

        // Pages of 3 resume where the last one ended and add up to the whole feed.
        var cursor: String?
        var paged: [String] = []
        while true {
            let page = try await http.get(url + "/v1/events?limit=3" + (cursor.map { "&after=" + $0 } ?? ""))
            let body = try #require(page.json)
            let items = try #require(body["events"] as? [[String: Any]])
            #expect(items.count <= 3)
            let next = try #require(body["next_cursor"] as? String)
            if items.isEmpty {
                #expect(next == cursor)
                break
            }
            paged += items.compactMap { $0["cursor"] as? String }
            cursor = next
        }
        #expect(paged == cursors)

        #expect(try await http.get(url + "/v1/events?limit=0").status == 400)
        #expect(try await http.get(url + "/v1/events?limit=ten").status == 400)
        #expect(try await http.get(url + "/v1/events?after=nonsense").status == 400)
        let big = try await http.get(url + "/v1/events?limit=5000")
        #expect(big.status == 200 && (big.json?["events"] as? [Any])?.count == 10)
    }

    static func agents(receiver: TestReceiver<any ReceiverStorage>, http: ReceiverHTTP) async throws {
        let url = receiver.url
        let list = try await http.get(url + "/v1/agents")
        #expect(list.status == 200)
        let json = try #require(list.json)
        #expect(Set(json.keys) == ["agents"])
        let agents = try #require(json["agents"] as? [[String: Any]])
        #expect(agents.compactMap { $0["agent_id"] as? String } == ["agent-a", "agent-b", "agent-f", "agent-r"])
        let keys: Set<String> = [
            "agent_id", "last_batch_seq", "last_event_seq", "last_occurred_at", "lag_seconds", "gaps",
        ]
        for agent in agents { #expect(Set(agent.keys) == keys) }
        let a = agents[0]
        #expect(a["last_batch_seq"] as? Int == 3 && a["last_event_seq"] as? Int == 6)
        #expect((a["gaps"] as? [Any])?.isEmpty == true)
        #expect((a["lag_seconds"] as? Int).map { $0 >= 0 && $0 < 600 } == true)
        #expect((a["last_occurred_at"] as? String).flatMap(Timestamp.init(iso8601:)) != nil)
        let b = agents[1]
        #expect(b["last_batch_seq"] as? Int == 0 && b["last_event_seq"] as? Int == 0)
        #expect(b["last_occurred_at"] is NSNull && b["lag_seconds"] is NSNull)

        let one = try await http.get(url + "/v1/agents/agent-a")
        #expect(one.status == 200)
        #expect(Set(try #require(one.json).keys) == keys)
        #expect(one.json?["last_event_seq"] as? Int == 6)
        let missing = try await http.get(url + "/v1/agents/nobody")
        #expect(missing.status == 404 && missing.isJSON(["error": "unknown_agent"]))
    }
}
