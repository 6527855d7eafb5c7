import ScanBridgeCore

/// How an agent proves who it is on a request without a body (`GET /v1/profile-bundle`): it
/// signs the method, path, its id and the time with its batch key, so a receiver that
/// trusts the agent's key for its batches trusts the request too, and nothing new is enrolled.
/// The time bounds a replay to `maximumSkewSeconds`; the path binds the signature to one use.
public enum AgentRequestSignature {
    public static let agentField = "Scanbridge-Agent"
    public static let dateField = "Scanbridge-Date"
    public static let signatureField = "Scanbridge-Signature"
    /// Clocks of workshop boxes drift; five minutes either way is what HTTP signatures allow.
    public static let maximumSkewSeconds: Int64 = 300

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case missing(String)
        case stale(skewSeconds: Int64)
        case signature(DetachedJWS.Failure)

        public var description: String {
            switch self {
            case .missing(let field): "request is not signed: \(field) missing"
            case .stale(let skew):
                "request signed \(skew) s away from this clock (at most \(maximumSkewSeconds)): check the agent's clock"
            case .signature(let failure): "request signature: \(failure)"
            }
        }
    }

    /// What is signed: one line per part, so no part can run into the next.
    static func message(method: String, path: String, agentID: String, unixSeconds: Int64) -> [UInt8] {
        Array("scanbridge-request\n\(method)\n\(path)\n\(agentID)\n\(unixSeconds)".utf8)
    }

    /// The three header fields to send.
    public static func fields(
        method: String, path: String, agentID: String, key: SigningKey, now: Timestamp = .now()
    ) throws -> [(name: String, value: String)] {
        let seconds = now.microsecondsSinceEpoch / 1_000_000
        let jws = try DetachedJWS.sign(
            message(method: method, path: path, agentID: agentID, unixSeconds: seconds), with: key)
        return [(agentField, agentID), (dateField, String(seconds)), (signatureField, jws)]
    }

    /// Checks a request's fields against the keys the receiver trusts for `agentID`; returns
    /// the agent id. `field` reads one header.
    public static func verify(
        method: String, path: String, field: (String) -> String?, trustedFor: (String) -> TrustedKeys,
        now: Timestamp = .now()
    ) throws(Failure) -> String {
        guard let agentID = field(agentField), !agentID.isEmpty else { throw .missing(agentField) }
        guard let dateText = field(dateField), let seconds = Int64(dateText) else { throw .missing(dateField) }
        guard let jws = field(signatureField) else { throw .missing(signatureField) }
        let skew = now.microsecondsSinceEpoch / 1_000_000 - seconds
        guard abs(skew) <= maximumSkewSeconds else { throw .stale(skewSeconds: skew) }
        do {
            try DetachedJWS.verify(
                jws, body: message(method: method, path: path, agentID: agentID, unixSeconds: seconds),
                trusted: trustedFor(agentID))
        } catch { throw .signature(error) }
        return agentID
    }
}
