import Crypto
import ScanBridgeCore

/// The agent's Ed25519 signing key, stored as a private JWK `{kty, crv, x, d, kid}` (the key
/// file itself, with its mode and owner checks, is `ScanBridgeUpstream`'s `SigningKey.load`).
public struct SigningKey: Sendable {
    private let rawRepresentation: [UInt8]
    public var privateKey: Curve25519.Signing.PrivateKey {
        try! Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
    }
    public var publicJWK: PublicKeyJWK { PublicKeyJWK(key: privateKey.publicKey) }
    public var kid: String { publicJWK.thumbprint }

    public init(privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.rawRepresentation = Array(privateKey.rawRepresentation)
    }

    public var privateJWK: String {
        let d = Base64.urlEncode(privateKey.rawRepresentation)
        return #"{"kty":"OKP","crv":"Ed25519","x":"\#(publicJWK.x)","d":"\#(d)","kid":"\#(kid)"}"#
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try privateKey.signature(for: message))
    }
}
