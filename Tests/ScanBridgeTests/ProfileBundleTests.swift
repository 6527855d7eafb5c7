import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeWire
import Testing

/// The signed profile bundle an authority publishes and every agent checks before using.
@Suite("Profile bundles")
struct ProfileBundleTests {
    let authority = SigningKey()
    let profile = JSONValue.object([
        "id": .string("acme-scale"), "version": .number(JSONNumber(3)), "decoder": .string("json"),
    ])

    func signed(version: Int = 2, profiles: [JSONValue]? = nil) throws -> String {
        let payload = ProfileBundle.document(
            name: "scales", version: version, createdAt: Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000),
            profiles: profiles ?? [profile])
        return try CompactJWS.sign(payload, with: authority, type: ProfileBundle.jwsType)
    }

    @Test("a bundle signed by the authority verifies and reads back with its profiles, sourced to it")
    func roundTrip() throws {
        let jws = try signed()
        let (payload, kid) = try CompactJWS.verify(
            jws, type: ProfileBundle.jwsType, trusted: TrustedKeys([authority.publicJWK]))
        #expect(kid == authority.kid)
        let bundle = try ProfileBundle.parse(payload)
        #expect(bundle.name == "scales" && bundle.version == 2)
        #expect(bundle.profiles.map(\.name) == ["acme-scale@3"])
        #expect(bundle.profiles.first?.source == "bundle scales@2")
    }

    @Test("an unknown authority, a flipped payload byte and another document type are refused")
    func refused() throws {
        let jws = try signed()
        #expect(throws: DetachedJWS.Failure.unknownKey(kid: authority.kid)) {
            try CompactJWS.verify(jws, type: ProfileBundle.jwsType, trusted: TrustedKeys([SigningKey().publicJWK]))
        }
        var parts = jws.split(separator: ".").map(String.init)
        var payload = Array(parts[1].utf8)
        payload[10] = payload[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        parts[1] = String(decoding: payload, as: UTF8.self)
        #expect(throws: DetachedJWS.Failure.badSignature(kid: authority.kid)) {
            try CompactJWS.verify(
                parts.joined(separator: "."), type: ProfileBundle.jwsType, trusted: TrustedKeys([authority.publicJWK]))
        }
        let other = try CompactJWS.sign(Array("{}".utf8), with: authority, type: "something-else")
        #expect(throws: DetachedJWS.Failure.self) {
            try CompactJWS.verify(other, type: ProfileBundle.jwsType, trusted: TrustedKeys([authority.publicJWK]))
        }
    }

    @Test("a bundle with an invalid profile or the same profile twice is refused, naming the member")
    func invalidMembers() throws {
        let broken = JSONValue.object(["id": .string("x"), "version": .number(JSONNumber(1)), "colour": .string("red")])
        do {
            _ = try ProfileBundle.parse(
                ProfileBundle.document(name: "b", version: 1, createdAt: .now(), profiles: [profile, broken]))
            Issue.record("accepted an unknown member")
        } catch {
            #expect(error.pointer == "/profiles/1/colour")
        }
        do {
            _ = try ProfileBundle.parse(
                ProfileBundle.document(name: "b", version: 1, createdAt: .now(), profiles: [profile, profile]))
            Issue.record("accepted a duplicate")
        } catch {
            #expect(error.message.contains("twice"))
        }
    }

    @Test("an agent's signed request verifies with its key, for that path and within five minutes only")
    func agentRequests() throws {
        let agent = SigningKey()
        let now = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
        let fields = try AgentRequestSignature.fields(
            method: "GET", path: "/v1/profile-bundle", agentID: "agent-7", key: agent, now: now)
        func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        let trusted: (String) -> TrustedKeys = { $0 == "agent-7" ? TrustedKeys([agent.publicJWK]) : TrustedKeys() }
        #expect(
            try AgentRequestSignature.verify(
                method: "GET", path: "/v1/profile-bundle", field: field, trustedFor: trusted, now: now) == "agent-7")
        #expect(throws: AgentRequestSignature.Failure.self) {
            try AgentRequestSignature.verify(
                method: "GET", path: "/v1/events", field: field, trustedFor: trusted, now: now)
        }
        #expect(throws: AgentRequestSignature.Failure.stale(skewSeconds: 301)) {
            try AgentRequestSignature.verify(
                method: "GET", path: "/v1/profile-bundle", field: field, trustedFor: trusted,
                now: Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch + 301_000_000))
        }
        #expect(throws: AgentRequestSignature.Failure.self) {
            try AgentRequestSignature.verify(
                method: "GET", path: "/v1/profile-bundle", field: { $0 == "Scanbridge-Agent" ? "agent-8" : field($0) },
                trustedFor: { _ in TrustedKeys([agent.publicJWK]) }, now: now)
        }
    }
}
