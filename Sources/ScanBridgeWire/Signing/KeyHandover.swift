import ScanBridgeCore

/// The proof that an agent moved from one signing key to another: a statement naming both keys,
/// signed by each (detached JWS over the statement's bytes).
///
/// The old key's signature is the authority: whoever trusts the old key may trust the new one
/// from the batch after the one carrying this event. The new key's signature shows the agent
/// holds it. The event travels in a batch still signed by the old key, so the chain itself
/// carries the hand-over; receivers and auditors follow it without a manual enrolment.
public struct KeyHandover: Sendable, Equatable {
    public var agentID: String
    public var oldKid: String
    public var newKey: PublicKeyJWK
    public var at: Timestamp

    public init(agentID: String, oldKid: String, newKey: PublicKeyJWK, at: Timestamp) {
        self.agentID = agentID
        self.oldKid = oldKid
        self.newKey = newKey
        self.at = at
    }

    /// The exact bytes both keys sign.
    public var statement: [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("statement", "scanbridge signing key hand-over")
        writer.field("agent_id", agentID)
        writer.field("old_kid", oldKid)
        writer.field("new_kid", newKey.thumbprint)
        writer.field("new_x", newKey.x)
        writer.field("at", at.description)
        writer.endObject()
        return writer.bytes
    }

    /// The `data` of the `agent.key_rotated` event.
    public static func eventData(agentID: String, old: SigningKey, new: SigningKey, at: Timestamp) throws -> [UInt8] {
        let handover = KeyHandover(agentID: agentID, oldKid: old.kid, newKey: new.publicJWK, at: at)
        let statement = handover.statement
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("old_kid", old.kid)
        writer.field("new_kid", new.kid)
        writer.key("new_jwk")
        writer.beginObject()
        writer.field("kty", "OKP")
        writer.field("crv", "Ed25519")
        writer.field("x", new.publicJWK.x)
        writer.field("kid", new.kid)
        writer.endObject()
        writer.field("statement", String(decoding: statement, as: UTF8.self))
        writer.field("signature_old", try DetachedJWS.sign(statement, with: old))
        writer.field("signature_new", try DetachedJWS.sign(statement, with: new))
        writer.endObject()
        return writer.bytes
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case badSignature(String)

        public var description: String {
            switch self {
            case .malformed(let why): "key hand-over is malformed: \(why)"
            case .badSignature(let why): "key hand-over signature does not verify: \(why)"
            }
        }
    }

    /// Checks an `agent.key_rotated` event's data against the keys trusted so far; returns the
    /// new key, which the caller may trust for the agent's following batches.
    public static func verify(eventData: [String: JSONFields], agentID: String, trusted: TrustedKeys) throws(Failure)
        -> PublicKeyJWK
    {
        guard let statementText = eventData["statement"]?.string,
            let signatureOld = eventData["signature_old"]?.string,
            let signatureNew = eventData["signature_new"]?.string,
            let jwk = eventData["new_jwk"]?.object, let x = jwk["x"]?.string,
            let newKey = PublicKeyJWK(x: x)
        else { throw .malformed("statement, signature_old, signature_new and new_jwk.x are required") }
        let statement = Array(statementText.utf8)
        guard
            let fields = JSONFields.object(from: statement),
            fields["agent_id"]?.string == agentID, fields["new_x"]?.string == x,
            fields["new_kid"]?.string == newKey.thumbprint,
            fields["old_kid"]?.string == eventData["old_kid"]?.string
        else { throw .malformed("the statement does not name this agent and these keys") }
        do {
            let kid = try DetachedJWS.verify(signatureOld, body: statement, trusted: trusted)
            guard kid == fields["old_kid"]?.string else { throw DetachedJWS.Failure.unknownKey(kid: kid) }
            _ = try DetachedJWS.verify(signatureNew, body: statement, trusted: TrustedKeys([newKey]))
        } catch {
            throw .badSignature("\(error)")
        }
        return newKey
    }

    /// The key a batch hands its agent over to, verified against `signer` (the key that
    /// signed the batch, which must be the hand-over's old key); nil when the batch carries no
    /// `agent.key_rotated` event. A batch carries at most one hand-over.
    public static func carried(in batch: WireBatch, signer: PublicKeyJWK) throws(Failure) -> PublicKeyJWK? {
        var found: PublicKeyJWK?
        for event in batch.events where event.type == EventType.agentKeyRotated.rawValue {
            guard found == nil else { throw .malformed("event \(event.seq): a second hand-over in one batch") }
            guard let object = JSONFields.object(from: event.bytes), let data = object["data"]?.object
            else { throw .malformed("event \(event.seq): data is not an object") }
            do {
                found = try verify(eventData: data, agentID: batch.agentID, trusted: TrustedKeys([signer]))
            } catch .malformed(let why) {
                throw .malformed("event \(event.seq): \(why)")
            } catch .badSignature(let why) {
                throw .badSignature("event \(event.seq): \(why)")
            }
        }
        return found
    }
}
