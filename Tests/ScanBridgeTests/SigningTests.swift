import Crypto
import Foundation
import ScanBridgeCore
import ScanBridgeUpstream
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Keys and signatures", .temporaryDirectory)
struct SigningTests {
    // RFC 8037 Appendix A.
    static let rfcD = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
    static let rfcX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

    @Test("the kid is the RFC 7638 thumbprint of RFC 8037's example key")
    func thumbprint() throws {
        let key = try #require(PublicKeyJWK(x: Self.rfcX))
        #expect(key.thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    @Test("RFC 8037 A.4's signature verifies with the example key")
    func rfcSignature() throws {
        let key = try #require(PublicKeyJWK(x: Self.rfcX))
        let input = Array("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".utf8)
        let signature = try #require(
            Base64.decode("hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"))
        #expect(key.key.isValidSignature(signature, for: input))
        let privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: try #require(Base64.decode(Self.rfcD)))
        #expect(SigningKey(privateKey: privateKey).publicJWK.x == Self.rfcX)
    }

    @Test("a detached JWS verifies for the exact body only, and only with a trusted key")
    func detachedJWS() throws {
        let key = SigningKey()
        let body = Array(#"{"agent_id":"a","batch_seq":1}"#.utf8)
        let jws = try DetachedJWS.sign(body, with: key)
        let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3 && parts[1].isEmpty)
        let header = String(decoding: try #require(Base64.decode(parts[0])), as: UTF8.self)
        #expect(header == #"{"alg":"EdDSA","kid":"\#(key.kid)"}"#)
        let trusted = TrustedKeys([key.publicJWK])
        #expect(try DetachedJWS.verify(jws, body: body, trusted: trusted) == key.kid)
        var tampered = body
        tampered[tampered.count - 2] = UInt8(ascii: "2")
        #expect(throws: DetachedJWS.Failure.badSignature(kid: key.kid)) {
            try DetachedJWS.verify(jws, body: tampered, trusted: trusted)
        }
        #expect(throws: DetachedJWS.Failure.unknownKey(kid: key.kid)) {
            try DetachedJWS.verify(jws, body: body, trusted: TrustedKeys([SigningKey().publicJWK]))
        }
    }

    @Test("key files are written 0600, never overwritten, and refused when group or others can read them")
    func keyFiles() throws {
        let directory = TestSupport.temporaryDirectory("keys")
        let path = directory + "/key.jwk"
        let key = SigningKey()
        try key.write(to: path)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try SigningKey.load(path: path).kid == key.kid)
        #expect(throws: KeyError.self) { try SigningKey().write(to: path) }
        chmod(path, 0o640)
        do {
            _ = try SigningKey.load(path: path)
            Issue.record("a group-readable key was accepted")
        } catch {
            #expect(error.description.contains("640"))
            #expect(error.description.contains(path))
        }
        let trusted = try TrustedKeys.load(path: path)
        #expect(trusted[key.kid] != nil)
        chmod(path, 0o600)
        if geteuid() == 0 {
            chown(path, 4242, 4242)
            #expect(throws: KeyError.wrongOwner(path: path, owner: 4242, user: 0)) { try SigningKey.load(path: path) }
        }
    }

    @Test("--trust accepts a single JWK or a JWKS, and refuses a mislabelled kid")
    func trustFiles() throws {
        let directory = TestSupport.temporaryDirectory("trust")
        let a = SigningKey().publicJWK
        let b = SigningKey().publicJWK
        try #"{"keys":[\#(a.json),\#(b.json)]}"#.write(
            toFile: directory + "/jwks.json", atomically: true, encoding: .utf8)
        let set = try TrustedKeys.load(path: directory + "/jwks.json")
        #expect(set[a.thumbprint] != nil && set[b.thumbprint] != nil)
        try #"{"kty":"OKP","crv":"Ed25519","x":"\#(a.x)","kid":"wrong"}"#.write(
            toFile: directory + "/bad.json", atomically: true, encoding: .utf8)
        #expect(throws: KeyError.self) { try TrustedKeys.load(path: directory + "/bad.json") }
    }
}
