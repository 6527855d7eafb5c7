import Foundation
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeWire
import Testing

@testable import ScanBridgeReceiver
@testable import ScanBridgeTestSupport

/// `GET /v1/profile-bundle` and the store's publications: agents of the store read the current
/// bundle with a request signed by their batch key, consumers with their token, nobody else;
/// a publication never moves the store back to an older version.
@Suite("Profile bundle endpoint", .temporaryDirectory)
struct ProfileBundleEndpointTests {
    @Test(
        "SQLite: publications only move forward; enrolled agents and consumers read the current bundle, with ETag and 304"
    )
    func sqlite() async throws {
        try await Self.check(.sqlite)
    }

    @Test(
        "PostgreSQL: publications only move forward; enrolled agents and consumers read the current bundle, with ETag and 304",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func postgres() async throws {
        try await Self.check(.postgres)
    }

    @Test("If-None-Match: *, lists and weak tags match; other tags do not")
    func ifNoneMatch() {
        let etag = "\"abc\""
        #expect(ProfileBundleRoute.matches("\"abc\"", etag: etag))
        #expect(ProfileBundleRoute.matches("*", etag: etag))
        #expect(ProfileBundleRoute.matches("\"x\", W/\"abc\"", etag: etag))
        #expect(!ProfileBundleRoute.matches("\"abcd\"", etag: etag))
        #expect(!ProfileBundleRoute.matches(nil, etag: etag))
    }

    /// A signed bundle of one built-in profile, as `profiles bundle` makes it.
    static func bundle(name: String, version: Int, authority: SigningKey) throws -> (jws: String, sha256: String) {
        let profile = try #require(try ProfileCatalog.load(directories: []).profiles.first)
        let payload = ProfileBundle.document(
            name: name, version: version, createdAt: .now(), profiles: [profile.document])
        let jws = try CompactJWS.sign(payload, with: authority, type: ProfileBundle.jwsType)
        return (jws, BatchBody.sha256Hex(Array(jws.utf8)))
    }

    static func check(_ backend: StoreBackend) async throws {
        let store = try await backend.open(try await backend.freshStore())
        let authority = SigningKey()
        let agent = SigningKey()
        let handedOver = SigningKey()
        let stranger = SigningKey()
        let fileTrusted = SigningKey()
        _ = try await store.enrol([agent.publicJWK], agentID: "agent-b")
        _ = try await store.enrol([stranger.publicJWK], agentID: "agent-other")
        let token = try await ConsumerTestSupport.token(for: store)

        // Publishing: v1, v2; v2 again and v1 refused, naming the current one; any name counts.
        func publish(_ name: String, _ version: Int) async throws -> BundlePublication {
            let signed = try bundle(name: name, version: version, authority: authority)
            return try await store.publishBundle(
                name: name, version: Int64(version), jws: signed.jws, sha256: signed.sha256)
        }
        #expect(try await store.currentBundle() == nil)
        guard case .published(let v1) = try await publish("fleet", 1) else { Issue.record("v1 refused"); return }
        guard case .published(let v2) = try await publish("fleet", 2) else { Issue.record("v2 refused"); return }
        #expect(v1.label == "fleet@1" && v2.label == "fleet@2")
        #expect(try await publish("fleet", 2) == .notNewer(current: v2))
        #expect(try await publish("fleet", 1) == .notNewer(current: v2))
        #expect(try await publish("other", 2) == .notNewer(current: v2))
        #expect(try await store.publishedBundles().map(\.version) == [2, 1], "every version is kept")
        #expect(try await store.currentBundle() == v2)

        try await TestReceiver.serving(store, trusted: TrustedKeys([fileTrusted.publicJWK])) { receiver, http in
            try await requests(
                receiver.url + ProfileBundleRoute.path, http: http, store: store, token: token,
                keys: (agent, handedOver, stranger, fileTrusted), current: v2,
                publish: { try await publish("fleet", 3) },
                handOver: {
                    var chain = BatchFactory(key: agent, agentID: "agent-b")
                    let batch = try chain.next(
                        chain.scans(1) + [try chain.handover(from: agent, to: handedOver)], signedBy: agent)
                    return await receiver.intake.handle(body: batch.body, signature: batch.jws, idempotencyKey: nil)
                })
        }
    }

    static func requests(
        _ url: String, http: ReceiverHTTP, store: any ReceiverStorage, token: String,
        keys: (agent: SigningKey, handedOver: SigningKey, stranger: SigningKey, fileTrusted: SigningKey),
        current v2: PublishedBundle, publish: () async throws -> BundlePublication,
        handOver: () async throws -> ReceiverReply
    ) async throws {
        func signed(_ key: SigningKey, agent: String = "agent-b", now: Timestamp = .now()) throws -> [(
            name: String, value: String
        )] {
            try AgentRequestSignature.fields(
                method: "GET", path: ProfileBundleRoute.path, agentID: agent, key: key, now: now)
        }
        func refused(_ answer: ReceiverHTTP.Answer, _ detail: String, sourceLocation: SourceLocation = #_sourceLocation)
        {
            #expect(answer.status == 401, "\(answer.body)", sourceLocation: sourceLocation)
            #expect(answer.json?["error"] as? String == "unauthorized", sourceLocation: sourceLocation)
            let said = answer.json?["detail"] as? String ?? ""
            #expect(said.contains(detail), "\(said)", sourceLocation: sourceLocation)
            #expect(!answer.body.contains(v2.jws) && answer.header("ETag") == nil, sourceLocation: sourceLocation)
        }

        let ok = try await http.get(url, headers: try signed(keys.agent))
        #expect(ok.status == 200 && ok.body == v2.jws, "\(ok.status) \(ok.body)")
        #expect(ok.header("ETag") == "\"\(v2.sha256)\"")
        #expect(ok.header("Content-Type") == "application/jose")
        #expect(ok.header("Cache-Control") == "no-cache")

        let notModified = try await http.get(
            url, headers: try signed(keys.agent) + [("If-None-Match", "\"\(v2.sha256)\"")])
        #expect(notModified.status == 304 && notModified.body.isEmpty)
        #expect(notModified.header("ETag") == "\"\(v2.sha256)\"")

        guard case .published(let v3) = try await publish() else {
            Issue.record("v3 refused")
            return
        }
        let newer = try await http.get(url, headers: try signed(keys.agent) + [("If-None-Match", "\"\(v2.sha256)\"")])
        #expect(newer.status == 200 && newer.body == v3.jws && newer.header("ETag") == "\"\(v3.sha256)\"")

        // Nobody else: unsigned, unknown key, another agent's key, a claimed agent the key is
        // not enrolled to, a stale date, a signature for another path, a bad token.
        refused(try await http.get(url), "Scanbridge-Agent missing")
        refused(try await http.get(url, headers: try signed(SigningKey())), "unknown key")
        refused(try await http.get(url, headers: try signed(keys.stranger)), "unknown key")
        refused(try await http.get(url, headers: try signed(keys.agent, agent: "agent-other")), "unknown key")
        refused(
            try await http.get(
                url,
                headers: try signed(
                    keys.agent,
                    now: Timestamp(microsecondsSinceEpoch: Timestamp.now().microsecondsSinceEpoch - 301_000_000))),
            "check the agent's clock")
        refused(
            try await http.get(
                url,
                headers: try AgentRequestSignature.fields(
                    method: "GET", path: "/v1/events", agentID: "agent-b", key: keys.agent)),
            "does not match")
        refused(try await http.get(url, authorization: "Bearer " + String(token.reversed())), "consumer token")

        // A consumer, and a key trusted by --trust file for any agent.
        let consumer = try await http.get(url, authorization: "Bearer " + token)
        #expect(consumer.status == 200 && consumer.body == v3.jws)
        let fromFile = try await http.get(url, headers: try signed(keys.fileTrusted, agent: "agent-any"))
        #expect(fromFile.status == 200, "\(fromFile.body)")

        // After a hand-over the new key reads and the old one, retired, does not; a revoked key
        // reads nothing more.
        #expect(try await handOver().status == 200)
        let successor = try await http.get(url, headers: try signed(keys.handedOver))
        #expect(successor.status == 200 && successor.body == v3.jws, "\(successor.body)")
        refused(try await http.get(url, headers: try signed(keys.agent)), "unknown key")
        _ = try await store.revoke(kid: keys.handedOver.kid)
        refused(try await http.get(url, headers: try signed(keys.handedOver)), "unknown key")
    }
}
