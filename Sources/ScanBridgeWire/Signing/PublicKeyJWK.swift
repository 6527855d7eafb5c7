import Crypto
import ScanBridgeCore

/// An Ed25519 public key as a JWK (RFC 8037), identified by its RFC 7638 thumbprint.
public struct PublicKeyJWK: Sendable, Hashable {
    /// Raw 32 bytes; the CryptoKit-style key type is not `Sendable`, the bytes are.
    public let rawRepresentation: [UInt8]
    public var key: Curve25519.Signing.PublicKey {
        try! Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)
    }
    public var x: String { Base64.urlEncode(rawRepresentation) }

    public init(key: Curve25519.Signing.PublicKey) {
        self.rawRepresentation = Array(key.rawRepresentation)
    }

    public init?(x: String) {
        guard let bytes = Base64.decode(x), bytes.count == 32,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil
        else { return nil }
        self.rawRepresentation = bytes
    }

    /// RFC 7638: SHA-256 over the required members in lexicographic order, no white space.
    public var thumbprint: String {
        let canonical = #"{"crv":"Ed25519","kty":"OKP","x":"\#(x)"}"#
        return Base64.urlEncode(Array(SHA256.hash(data: Array(canonical.utf8))))
    }

    public var json: String {
        #"{"kty":"OKP","crv":"Ed25519","x":"\#(x)","kid":"\#(thumbprint)"}"#
    }

}

/// The public keys a receiver or auditor trusts, by `kid`.
public struct TrustedKeys: Sendable {
    public private(set) var keys: [String: PublicKeyJWK] = [:]

    public init(_ keys: [PublicKeyJWK] = []) {
        for key in keys { self.keys[key.thumbprint] = key }
    }

    public subscript(kid: String) -> PublicKeyJWK? { keys[kid] }

    public mutating func insert(_ key: PublicKeyJWK) {
        keys[key.thumbprint] = key
    }

    /// Reads a single public (or private: only its public half is used) JWK or a JWKS
    /// `{"keys": [...]}`. A `kid` that is not the key's thumbprint is refused: a mislabelled
    /// key is a configuration error that would otherwise surface as "unknown key" later.
    public static func load(path: String) throws(KeyError) -> TrustedKeys {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch { throw .unreadable(path: path, reason: error.description) }
        guard let object = JSONFields.object(from: bytes) else {
            throw .malformed(path: path, reason: "not a JSON object")
        }
        let members = object["keys"]?.objects ?? [object]
        var trusted = TrustedKeys()
        for (index, member) in members.enumerated() {
            let label = object["keys"] == nil ? "" : "keys[\(index)]: "
            guard member["kty"]?.string == "OKP", member["crv"]?.string == "Ed25519" else {
                throw .malformed(path: path, reason: label + "expected kty OKP and crv Ed25519")
            }
            guard let x = member["x"]?.string, let key = PublicKeyJWK(x: x) else {
                throw .malformed(path: path, reason: label + "x is not a base64url 32-byte Ed25519 key")
            }
            if let kid = member["kid"]?.string, kid != key.thumbprint {
                throw .malformed(
                    path: path, reason: label + "kid \(kid) is not the key's RFC 7638 thumbprint \(key.thumbprint)")
            }
            trusted.insert(key)
        }
        guard !trusted.keys.isEmpty else { throw .malformed(path: path, reason: "no keys") }
        return trusted
    }

    public static func load(paths: [String]) throws(KeyError) -> TrustedKeys {
        var all = TrustedKeys()
        for path in paths {
            for key in try load(path: path).keys.values { all.insert(key) }
        }
        return all
    }
}
