import Logging
import ScanBridgeCore
import ScanBridgeWire

/// An HTTP answer of the receiver: status, JSON body and, for a 503, when to retry.
public struct ReceiverReply: Sendable, Equatable {
    public var status: Int
    public var body: String
    /// `Retry-After` in seconds.
    public var retryAfterSeconds: Int?

    public init(status: Int, body: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// How long a client should wait after a 503: a lock held elsewhere or a database
    /// restarting is usually gone by then, and agents back off further on their own.
    public static let retryAfterSeconds = 2

    /// The store could not answer in time or at all; nothing was committed, retry later.
    static var storeUnavailable: ReceiverReply {
        var reply = ReceiverReply.json(503, ["error": "store_unavailable"])
        reply.retryAfterSeconds = retryAfterSeconds
        return reply
    }

    /// A flat JSON object of strings and integers, in the order given.
    static func json(_ status: Int, _ fields: KeyValuePairs<String, any Sendable>) -> ReceiverReply {
        var writer = JSONWriter()
        writer.beginObject()
        for (key, value) in fields {
            writer.key(key)
            switch value {
            case let number as Int64: writer.integer(number)
            case let number as Int: writer.integer(number)
            case let text as String: writer.string(text)
            default: writer.string("\(value)")
            }
        }
        writer.endObject()
        return ReceiverReply(status: status, body: String(decoding: writer.bytes, as: UTF8.self))
    }
}

/// The receiver's decision for one posted batch, independent of the HTTP server.
///
/// Order of checks: the signature header's `kid` first, before the body is read (nothing
/// unauthenticated touches the store beyond the key lookup, or makes the server take an
/// upload), then the signature over the body, the body's shape and the key's agent, then the
/// chain in the store's transaction. Whatever a client sends is answered 2xx or 4xx; only a
/// store that cannot be reached answers 503, which agents retry. The pinned answers (200, 401, 403, 409) carry
/// exactly the contract's fields; why a batch was refused goes to the receiver's log.
public struct BatchIntake: Sendable {
    public typealias Reply = ReceiverReply

    /// What one batch came to, with the time spent verifying and committing it.
    public struct Decision: Sendable {
        public var result: ReceiverMetrics.Result
        public var agentID: String?
        public var events: Int
        public var verify: Duration?
        public var commit: Duration?
    }

    public let store: any ReceiverStorage
    /// Keys from `--trust` files: trusted for any agent, unless the store binds or revokes them.
    public let trusted: TrustedKeys
    public let logger: Logger
    public let metrics: ReceiverMetrics?
    /// Told about every decision (the receiver bench measures verify + commit with it).
    public let observer: (@Sendable (Decision) -> Void)?

    /// The longest `agent_id` accepted: it is a key in every table and a file name in exports.
    public static let maximumAgentIDBytes = 256

    public init(
        store: any ReceiverStorage, trusted: TrustedKeys = TrustedKeys(), logger: Logger,
        metrics: ReceiverMetrics? = nil, observer: (@Sendable (Decision) -> Void)? = nil
    ) {
        self.store = store
        self.trusted = trusted
        self.logger = logger
        self.metrics = metrics
        self.observer = observer
    }

    /// Decides a batch from its signature header and body (the fuzzer and in-process callers
    /// that hold the whole body already).
    public func handle(body: [UInt8], signature: String?, idempotencyKey: String?) async -> Reply {
        switch await admit(signature: signature) {
        case .refused(let reply): reply
        case .admitted(let signer): await handle(body: body, signedBy: signer, idempotencyKey: idempotencyKey)
        }
    }

    /// Decides a batch whose signature header `admit(signature:)` let through.
    public func handle(body: [UInt8], signedBy signer: AdmittedSigner, idempotencyKey: String?) async -> Reply {
        let (reply, decision) = await decide(body: body, signer: signer, idempotencyKey: idempotencyKey)
        record(decision)
        return reply
    }

    /// Counts a body refused before it reached the intake (over the size limit).
    public func refusedTooLarge() {
        record(Decision(result: .tooLarge, agentID: nil, events: 0, verify: nil, commit: nil))
    }

    private func record(_ decision: Decision) {
        metrics?.record(decision.result, events: decision.events, verify: decision.verify, commit: decision.commit)
        observer?(decision)
    }

    /// What the `Scanbridge-Signature` header alone decides: the server asks before it reads a
    /// byte of the body, so a client without a known, unrevoked key costs one key lookup and
    /// no upload.
    public enum Admission: Sendable {
        case admitted(AdmittedSigner)
        /// The answer to send without reading the body (401, or 503 when the store is down).
        case refused(Reply)
    }

    /// A signature header whose `kid` names a key the receiver trusts; the body is still to
    /// be verified against it.
    public struct AdmittedSigner: Sendable {
        let signature: String
        let kid: String
        let resolved: ResolvedKey
        /// When the header was looked at: the verify duration includes the key lookup.
        let started: ContinuousClock.Instant
    }

    public func admit(signature: String?) async -> Admission {
        let started = ContinuousClock.now
        func refuse(_ result: ReceiverMetrics.Result, _ reply: Reply) -> Admission {
            record(
                Decision(result: result, agentID: nil, events: 0, verify: ContinuousClock.now - started, commit: nil))
            return .refused(reply)
        }
        guard let signature else { return refuse(.badSignature, .json(401, ["error": "bad_signature"])) }
        let kid: String
        do { kid = try DetachedJWS.keyID(of: signature) } catch {
            logger.warning("rejected batch with bad signature", metadata: ["reason": "\(error)"])
            return refuse(.badSignature, .json(401, ["error": "bad_signature"]))
        }
        switch await resolve(kid: kid) {
        case .key(let key):
            return .admitted(AdmittedSigner(signature: signature, kid: kid, resolved: key, started: started))
        case .refused(let why):
            logger.warning("rejected batch signed by an untrusted key", metadata: ["kid": "\(kid)", "why": "\(why)"])
            return refuse(.unknownKey, .json(401, ["error": "unknown_key"]))
        case .storeUnavailable(let error):
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return refuse(.storeUnavailable, .storeUnavailable)
        }
    }

    private func decide(body: [UInt8], signer: AdmittedSigner, idempotencyKey: String?) async -> (Reply, Decision) {
        let started = signer.started
        let (signature, kid, resolved) = (signer.signature, signer.kid, signer.resolved)
        var decision = Decision(result: .malformed, agentID: nil, events: 0, verify: nil, commit: nil)
        func finish(_ result: ReceiverMetrics.Result, _ reply: Reply) -> (Reply, Decision) {
            decision.result = result
            if decision.verify == nil { decision.verify = ContinuousClock.now - started }
            return (reply, decision)
        }
        // The signature check, the body's digest and the parse each read the whole body and
        // none needs another's result: with the chain taking one agent's batches one at a
        // time, running them side by side shortens every batch's round trip.
        async let verified = Self.verify(signature, body: body, key: resolved.key)
        async let digest = BatchBody.sha256Hex(body)
        let parsed = Result { () throws(WireBatch.Malformed) in try WireBatch.parse(body) }
        if case .failure(let error) = await verified {
            logger.warning("rejected batch with bad signature", metadata: ["reason": "\(error)"])
            return finish(.badSignature, .json(401, ["error": "bad_signature"]))
        }
        let batch: WireBatch
        switch parsed {
        case .success(let parsed): batch = parsed
        case .failure(let error):
            logger.warning("rejected malformed batch", metadata: ["reason": "\(error.reason)"])
            return finish(.malformed, .json(400, ["error": "malformed", "detail": error.reason]))
        }
        decision.agentID = batch.agentID
        if let problem = Self.unstorable(batch) {
            return finish(.malformed, .json(400, ["error": "malformed", "detail": problem]))
        }
        if let owner = resolved.agentID, owner != batch.agentID {
            logger.warning(
                "rejected batch signed by another agent's key",
                metadata: ["kid": "\(kid)", "agent": "\(batch.agentID)", "enrolled_to": "\(owner)"])
            return finish(.wrongAgent, .json(403, ["error": "wrong_agent"]))
        }
        if let idempotencyKey, idempotencyKey != "\(batch.agentID)/\(batch.batchSeq)" {
            return finish(
                .malformed,
                .json(400, ["error": "malformed", "detail": "Idempotency-Key does not match agent_id/batch_seq"]))
        }
        let handover: AcceptedHandover?
        do {
            handover = try KeyHandover.carried(in: batch, signer: resolved.key).map {
                AcceptedHandover(oldKey: resolved.key, newKey: $0)
            }
        } catch {
            logger.warning(
                "rejected batch whose key hand-over does not verify",
                metadata: ["agent": "\(batch.agentID)", "batch_seq": "\(batch.batchSeq)", "reason": "\(error)"])
            return finish(.malformed, .json(400, ["error": "malformed", "detail": error.description]))
        }
        decision.verify = ContinuousClock.now - started
        let committing = ContinuousClock.now
        let acceptance: ReceiverAcceptance
        do {
            acceptance = try await store.accept(
                batch, body: body, sha256: await digest, signature: signature, kid: kid, handover: handover)
        } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            decision.commit = ContinuousClock.now - committing
            return finish(.storeUnavailable, .storeUnavailable)
        }
        decision.commit = ContinuousClock.now - committing
        let metadata: Logger.Metadata = ["agent": "\(batch.agentID)", "batch_seq": "\(batch.batchSeq)"]
        switch acceptance {
        case .accepted:
            decision.events = batch.events.count
            logger.info("accepted batch", metadata: metadata.merging(["events": "\(batch.events.count)"]) { $1 })
            if let handover {
                logger.notice(
                    "agent handed over to a new signing key",
                    metadata: metadata.merging(
                        ["old_kid": "\(handover.oldKey.thumbprint)", "new_kid": "\(handover.newKey.thumbprint)"]
                    ) { $1 })
            }
            return finish(.accepted, .json(200, ["status": "accepted", "batch_seq": batch.batchSeq]))
        case .repeated:
            logger.info("repeat of an accepted batch", metadata: metadata)
            return finish(.repeat, .json(200, ["status": "repeat", "batch_seq": batch.batchSeq]))
        case .conflict(let expected):
            logger.warning("conflicting batch: same batch_seq, other bytes", metadata: metadata)
            return finish(.conflict, .json(409, ["error": "conflict", "expected_batch_seq": expected]))
        case .outOfOrder(let expected):
            logger.warning("batch out of order", metadata: metadata.merging(["expected": "\(expected)"]) { $1 })
            return finish(.outOfOrder, .json(409, ["error": "out_of_order", "expected_batch_seq": expected]))
        case .keyRetired(let kid, let handedOverAt):
            logger.warning(
                "rejected batch signed by a key its agent handed over",
                metadata: metadata.merging(["kid": "\(kid)", "handed_over_in_batch": "\(handedOverAt)"]) { $1 })
            return finish(.unknownKey, .json(401, ["error": "unknown_key"]))
        case .handoverRefused(_, let reason):
            logger.warning("rejected key hand-over", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            return finish(.wrongAgent, .json(403, ["error": "wrong_agent"]))
        case .chainBroken(let expected, let reason):
            logger.warning("batch breaks the chain", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            return finish(.chainBroken, .json(409, ["error": "chain_broken", "expected_batch_seq": expected]))
        }
    }

    private static func verify(_ signature: String, body: [UInt8], key: PublicKeyJWK) -> Result<
        Void, DetachedJWS.Failure
    > {
        Result { () throws(DetachedJWS.Failure) in
            _ = try DetachedJWS.verify(signature, body: body, trusted: TrustedKeys([key]))
        }
    }

    struct ResolvedKey {
        var key: PublicKeyJWK
        /// The agent the store binds the key to; nil for a key trusted by file only.
        var agentID: String?
    }

    enum Resolution {
        case key(ResolvedKey)
        case refused(String)
        case storeUnavailable(ReceiverStoreError)
    }

    /// The store's enrolment decides first (a revocation there holds even for a key also in a
    /// `--trust` file); a key only in a trust file may sign for any agent.
    func resolve(kid: String) async -> Resolution {
        guard Self.isThumbprint(kid) else { return .refused("is not an RFC 7638 thumbprint of a trusted key") }
        do {
            if let enrolled = try await store.enrolledKey(kid: kid) {
                if let revokedAt = enrolled.revokedAt { return .refused("was revoked at \(revokedAt)") }
                return .key(ResolvedKey(key: enrolled.key, agentID: enrolled.agentID))
            }
        } catch {
            return .storeUnavailable(error)
        }
        if let key = trusted[kid] { return .key(ResolvedKey(key: key, agentID: nil)) }
        return .refused("is not trusted")
    }

    /// base64url of 32 bytes: 43 characters of the URL-safe alphabet.
    static func isThumbprint(_ kid: String) -> Bool {
        kid.utf8.count == 43
            && kid.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_")
            }
    }

    /// Values a well-formed batch may carry but no store should keep: control characters in
    /// identifiers (PostgreSQL's text type refuses NUL) and oversized agent ids.
    static func unstorable(_ batch: WireBatch) -> String? {
        func hasControl(_ text: String) -> Bool { text.utf8.contains { $0 < 0x20 || $0 == 0x7F } }
        if batch.agentID.utf8.count > maximumAgentIDBytes || hasControl(batch.agentID) {
            return "agent_id must be at most \(maximumAgentIDBytes) bytes without control characters"
        }
        for (index, event) in batch.events.enumerated() where hasControl(event.id) || hasControl(event.type) {
            return "events[\(index)]: id and type must not hold control characters"
        }
        return nil
    }
}
