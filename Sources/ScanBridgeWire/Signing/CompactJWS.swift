import Crypto
import ScanBridgeCore

/// RFC 7515 compact serialisation with the payload attached, EdDSA (RFC 8037): a document
/// that travels on its own and carries its proof (a profile bundle), unlike a batch whose
/// signature rides beside the body (``DetachedJWS``). Any JOSE library verifies it.
public enum CompactJWS {
    public static func sign(_ payload: [UInt8], with key: SigningKey, type: String) throws -> String {
        let header = Base64.urlEncode(Array(#"{"alg":"EdDSA","kid":"\#(key.kid)","typ":"\#(type)"}"#.utf8))
        let signingInput = Base64.urlEncoded(payload, after: Array((header + ".").utf8))
        return String(decoding: signingInput, as: UTF8.self) + "." + Base64.urlEncode(try key.sign(signingInput))
    }

    /// The payload and the `kid` that signed it; `type` must match the header's `typ`, so a
    /// signature made for one kind of document is never accepted as another.
    public static func verify(_ jws: some StringProtocol, type: String, trusted: TrustedKeys) throws(DetachedJWS
        .Failure)
        -> (payload: [UInt8], kid: String)
    {
        let (header, payload, signature, kid) = try parts(of: jws, type: type)
        guard let key = trusted[kid] else { throw .unknownKey(kid: kid) }
        let signingInput = Array((header + "." + payload).utf8)
        guard key.key.isValidSignature(signature, for: signingInput) else { throw .badSignature(kid: kid) }
        return (Base64.decode(payload) ?? [], kid)
    }

    /// The payload without checking the signature: for a store that keeps the document for
    /// others to verify (the receiver), never for deciding to use it.
    public static func unverifiedPayload(of jws: some StringProtocol, type: String) throws(DetachedJWS.Failure)
        -> [UInt8]
    {
        Base64.decode(try parts(of: jws, type: type).payload) ?? []
    }

    private static func parts(of jws: some StringProtocol, type: String) throws(DetachedJWS.Failure) -> (
        header: Substring, payload: Substring, signature: [UInt8], kid: String
    ) {
        let text = Substring(jws).trimmingWhitespace()
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty else { throw .malformed("expected header.payload.signature") }
        guard let headerBytes = Base64.decode(parts[0]), let header = JSONFields.object(from: headerBytes)
        else { throw .malformed("protected header is not base64url JSON") }
        guard header["alg"]?.string == "EdDSA" else { throw .malformed("alg must be EdDSA") }
        guard header["crit"] == nil else { throw .malformed("crit is not supported") }
        guard header["typ"]?.string == type else { throw .malformed("typ must be \(type)") }
        guard let kid = header["kid"]?.string else { throw .malformed("kid missing") }
        guard Base64.decode(parts[1]) != nil else { throw .malformed("payload is not base64url") }
        guard let signature = Base64.decode(parts[2]), signature.count == 64 else {
            throw .malformed("signature is not 64 base64url bytes")
        }
        return (parts[0], parts[1], signature, kid)
    }
}
