import Crypto
import ScanBridgeCore

/// RFC 7515 compact serialisation with a detached payload (Appendix F), EdDSA (RFC 8037).
///
/// The signature covers the exact body bytes; anyone verifies it by putting base64url(body)
/// between the two dots, with any JOSE library.
public enum DetachedJWS {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case unknownKey(kid: String)
        case badSignature(kid: String)

        public var description: String {
            switch self {
            case .malformed(let why): "malformed signature: \(why)"
            case .unknownKey(let kid): "signed with unknown key \(kid)"
            case .badSignature(let kid): "signature by \(kid) does not match the body"
            }
        }
    }

    public static func sign(_ body: [UInt8], with key: SigningKey) throws -> String {
        let header = Base64.urlEncode(Array(#"{"alg":"EdDSA","kid":"\#(key.kid)"}"#.utf8))
        let signingInput = Base64.urlEncoded(body, after: Array((header + ".").utf8))
        return header + ".." + Base64.urlEncode(try key.sign(signingInput))
    }

    /// Returns the `kid` that verified the body.
    @discardableResult
    public static func verify(_ jws: String, body: [UInt8], trusted: TrustedKeys) throws(Failure) -> String {
        let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
        let kid = try keyID(parts)
        guard let key = trusted[kid] else { throw .unknownKey(kid: kid) }
        guard let signature = Base64.decode(parts[2]), signature.count == 64 else {
            throw .malformed("signature is not 64 base64url bytes")
        }
        let signingInput = Base64.urlEncoded(body, after: Array((parts[0] + ".").utf8))
        guard key.key.isValidSignature(signature, for: signingInput) else { throw .badSignature(kid: kid) }
        return kid
    }

    /// The `kid` of the protected header, read before any key is chosen (a receiver looks
    /// the key up by it); the header is checked as `verify` checks it.
    public static func keyID(of jws: String) throws(Failure) -> String {
        try keyID(jws.split(separator: ".", omittingEmptySubsequences: false))
    }

    private static func keyID(_ parts: [Substring]) throws(Failure) -> String {
        guard parts.count == 3 else { throw .malformed("expected three dot-separated parts") }
        guard parts[1].isEmpty else { throw .malformed("payload part must be empty (detached)") }
        guard let headerBytes = Base64.decode(parts[0]), let header = JSONFields.object(from: headerBytes)
        else { throw .malformed("protected header is not base64url JSON") }
        guard header["alg"]?.string == "EdDSA" else { throw .malformed("alg must be EdDSA") }
        guard header["crit"] == nil else { throw .malformed("crit is not supported") }
        guard let kid = header["kid"]?.string else { throw .malformed("kid missing") }
        if let b64 = header["b64"]?.bool, !b64 { throw .malformed("b64=false is not supported") }
        return kid
    }
}
