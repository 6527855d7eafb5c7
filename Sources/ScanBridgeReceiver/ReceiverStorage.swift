import ScanBridgeCore
import ScanBridgeWire

/// Where a receiver keeps batches, events, enrolled keys and the feed: one SQLite file for
/// the embedded case, or a PostgreSQL database shared by several receiver processes.
///
/// Every backend keeps the same promises, enforced inside its own transaction and by
/// uniqueness in the database rather than by the process: a batch is accepted once per
/// `(agent_id, batch_seq)`, each event once per `(agent_id, seq)`, only when it continues
/// the agent's chain; and every accepted batch gets a feed position in commit order.
public protocol ReceiverStorage: Sendable {
    /// Stores `batch` if it continues its agent's chain and `kid` may still sign it; a repeat,
    /// a conflict, a gap or a retired key is answered without writing anything. With a
    /// `handover` the same transaction binds the new key to the agent and retires the old one
    /// after this batch. `sha256` is the hex digest of `body`, which the intake computes while
    /// it verifies the signature.
    func accept(
        _ batch: WireBatch, body: [UInt8], sha256: String, signature: String, kid: String,
        handover: AcceptedHandover?
    ) async throws(ReceiverStoreError) -> ReceiverAcceptance

    /// The enrolment of `kid`, revoked or not; nil when the store never heard of it.
    func enrolledKey(kid: String) async throws(ReceiverStoreError) -> EnrolledKey?

    /// Binds each key to `agentID`; enrolling a key again to the same agent changes nothing.
    func enrol(_ keys: [PublicKeyJWK], agentID: String) async throws(ReceiverStoreError) -> [EnrolmentResult]

    /// Marks `kid` revoked; batches it signs are refused from then on (stored ones stay).
    func revoke(kid: String) async throws(ReceiverStoreError) -> EnrolledKey

    func enrolledKeys() async throws(ReceiverStoreError) -> [EnrolledKey]

    /// Records a feed consumer with the SHA-256 of its token; a name is never reused, even
    /// after its consumer was revoked.
    func addConsumer(name: String, tokenSHA256: String) async throws(ReceiverStoreError) -> FeedConsumer

    /// Every consumer, revoked or not, by name.
    func consumers() async throws(ReceiverStoreError) -> [FeedConsumer]

    /// Consumers not revoked, with their token hashes (read for every authenticated request).
    func activeConsumers() async throws(ReceiverStoreError) -> [ConsumerCredential]

    /// Marks the consumer revoked (again is no change); its token stops working at once.
    func revokeConsumer(name: String) async throws(ReceiverStoreError) -> FeedConsumer

    /// Sets `last_used_at` (an ISO 8601 UTC time).
    func markConsumerUsed(name: String, at time: String) async throws(ReceiverStoreError)

    /// Agents enrolled in the store or holding batches in it, by `agent_id`.
    func agentSummaries() async throws(ReceiverStoreError) -> [AgentSummary]

    func agentSummary(_ agentID: String) async throws(ReceiverStoreError) -> AgentSummary?

    /// Accepted events after `cursor`, in commit order.
    func events(after cursor: FeedCursor, limit: Int) async throws(ReceiverStoreError) -> [FeedEntry]

    /// Agents holding batches, for audit.
    func agentIDsWithBatches() async throws(ReceiverStoreError) -> [String]

    /// One agent's stored batches with `batch_seq` above `batchSeq`, in order, at most `limit`.
    func batches(agentID: String, after batchSeq: Int64, limit: Int) async throws(ReceiverStoreError)
        -> [ReceivedBatch]

    /// The console's view of one agent (`agentID`) or of every agent (nil), by `agent_id`.
    func consoleAgents(agentID: String?) async throws(ReceiverStoreError) -> [ConsoleAgentRecord]

    /// The events the console reports on (`ConsoleNotice.types`) of one agent or of every
    /// agent, by agent and `seq`; read through a partial index that holds only those events.
    func consoleNotices(agentID: String?) async throws(ReceiverStoreError) -> [ConsoleNotice]

    /// Records a console session: the SHA-256 of its cookie, the consumer it acts for and
    /// when it ends.
    func startConsoleSession(tokenSHA256: String, consumer: String, expiresAt: Timestamp)
        async throws(ReceiverStoreError)

    /// The consumer a session acts for, or nil when the session is unknown, expired or its
    /// consumer revoked.
    func consoleSessionConsumer(tokenSHA256: String, now: Timestamp) async throws(ReceiverStoreError) -> String?

    /// Forgets a session (logout) and every expired one.
    func endConsoleSession(tokenSHA256: String, now: Timestamp) async throws(ReceiverStoreError)

    /// Keeps a profile bundle's JWS as the new current bundle when `version` is greater than
    /// the current one's, whatever its name; every version stays stored.
    func publishBundle(name: String, version: Int64, jws: String, sha256: String)
        async throws(ReceiverStoreError) -> BundlePublication

    /// The bundle with the highest version, or nil before any is published.
    func currentBundle() async throws(ReceiverStoreError) -> PublishedBundle?

    /// Every published bundle, newest first.
    func publishedBundles() async throws(ReceiverStoreError) -> [PublishedBundle]

    /// Answers whether the store can be reached (readiness).
    func ping() async throws(ReceiverStoreError)

    /// Releases connections; the store is unusable afterwards.
    func close() async
}

extension ReceiverStorage {
    public func accept(_ batch: WireBatch, body: [UInt8], signature: String, kid: String)
        async throws(ReceiverStoreError) -> ReceiverAcceptance
    {
        try await accept(
            batch, body: body, sha256: BatchBody.sha256Hex(body), signature: signature, kid: kid, handover: nil)
    }
}

/// A verified `agent.key_rotated` event in a batch signed by `oldKey`: from the next batch on
/// the agent signs with `newKey`, and `oldKey` may sign nothing after this batch (a stolen
/// old key, the usual reason to rotate, cannot extend the chain).
public struct AcceptedHandover: Sendable, Equatable {
    public var oldKey: PublicKeyJWK
    public var newKey: PublicKeyJWK

    public init(oldKey: PublicKeyJWK, newKey: PublicKeyJWK) {
        self.oldKey = oldKey
        self.newKey = newKey
    }
}

/// The store's decision on one batch.
public enum ReceiverAcceptance: Sendable, Equatable {
    case accepted
    case repeated
    case conflict(expectedBatchSeq: Int64)
    case outOfOrder(expectedBatchSeq: Int64)
    case chainBroken(expectedBatchSeq: Int64, reason: String)
    /// `kid` was handed over to another key in batch `handedOverAt`; it signed a later batch.
    case keyRetired(kid: String, handedOverAt: Int64)
    /// The hand-over names a key the store binds to another agent.
    case handoverRefused(expectedBatchSeq: Int64, reason: String)
}

public struct AgentSummary: Sendable, Equatable {
    public var agentID: String
    public var lastBatchSeq: Int64
    public var lastEventSeq: Int64
    public var lastOccurredAt: String?
    public var gaps: [[Int64]]

    public init(agentID: String, lastBatchSeq: Int64, lastEventSeq: Int64, lastOccurredAt: String?, gaps: [[Int64]]) {
        self.agentID = agentID
        self.lastBatchSeq = lastBatchSeq
        self.lastEventSeq = lastEventSeq
        self.lastOccurredAt = lastOccurredAt
        self.gaps = gaps
    }

    /// Now − the newest `occurred_at`, in whole seconds, never negative; nil before any event.
    public func lagSeconds(now: Timestamp) -> Int64? {
        guard let lastOccurredAt, let time = Timestamp(iso8601: lastOccurredAt) else { return nil }
        return max(0, (now.microsecondsSinceEpoch - time.microsecondsSinceEpoch) / 1_000_000)
    }
}

public struct EnrolledKey: Sendable, Equatable {
    public var key: PublicKeyJWK
    public var agentID: String
    public var enrolledAt: String
    public var revokedAt: String?
    /// The `batch_seq` of the hand-over that replaced this key: the last batch it may sign.
    public var retiredAfterBatchSeq: Int64?
    /// The kid the hand-over moved the agent to.
    public var replacedBy: String?

    public var kid: String { key.thumbprint }

    public init(
        key: PublicKeyJWK, agentID: String, enrolledAt: String, revokedAt: String?,
        retiredAfterBatchSeq: Int64? = nil, replacedBy: String? = nil
    ) {
        self.key = key
        self.agentID = agentID
        self.enrolledAt = enrolledAt
        self.revokedAt = revokedAt
        self.retiredAfterBatchSeq = retiredAfterBatchSeq
        self.replacedBy = replacedBy
    }
}

public enum EnrolmentResult: Sendable, Equatable {
    case enrolled(kid: String)
    case alreadyEnrolled(kid: String)
}

/// A stored batch as it arrived: its exact bytes and signature.
public struct ReceivedBatch: Sendable {
    public var batchSeq: Int64
    public var body: [UInt8]
    public var signature: String

    public init(batchSeq: Int64, body: [UInt8], signature: String) {
        self.batchSeq = batchSeq
        self.body = body
        self.signature = signature
    }
}

/// One event of the feed with the position after which the next page starts.
public struct FeedEntry: Sendable {
    public var cursor: FeedCursor
    public var agentID: String
    public var batchSeq: Int64
    /// The event's exact bytes, as signed.
    public var event: [UInt8]

    public init(cursor: FeedCursor, agentID: String, batchSeq: Int64, event: [UInt8]) {
        self.cursor = cursor
        self.agentID = agentID
        self.batchSeq = batchSeq
        self.event = event
    }
}

/// A place in the feed: the batch's feed position (assigned in commit order) and the event's
/// `seq` within it. Clients treat its text as opaque.
public struct FeedCursor: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var position: Int64
    public var seq: Int64

    public static let start = FeedCursor(position: 0, seq: 0)

    public init(position: Int64, seq: Int64) {
        self.position = position
        self.seq = seq
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let position = Int64(parts[0]), let seq = Int64(parts[1]), position >= 0, seq >= 0
        else { return nil }
        self.init(position: position, seq: seq)
    }

    public var description: String { "\(position)-\(seq)" }

    public static func < (lhs: FeedCursor, rhs: FeedCursor) -> Bool {
        (lhs.position, lhs.seq) < (rhs.position, rhs.seq)
    }
}

/// Why the store could not answer, phrased for the operator.
public enum ReceiverStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `--store` value is neither a usable file path nor a PostgreSQL URL.
    case badLocation(String, reason: String)
    /// The database cannot be reached or refused the work; nothing was committed.
    case unavailable(String, reason: String)
    case migrationFailed(String, reason: String)
    /// A statement ran or waited for a lock past the statement timeout; nothing was committed.
    case timedOut(String, reason: String)
    case keyEnrolledToAnotherAgent(kid: String, agentID: String)
    case keyRevoked(kid: String, agentID: String)
    case unknownKey(kid: String)
    case consumerExists(name: String)
    case unknownConsumer(name: String)

    public var description: String {
        switch self {
        case .badLocation(let location, let reason):
            "\(location): \(reason) — give a file path (SQLite) or postgres://user[:password]@host[:port]/db[?sslmode=…]"
        case .unavailable(let location, let reason):
            "\(location): \(reason) — is the database running and reachable, and are the user, password and database name right?"
        case .timedOut(let location, let reason):
            "\(location): \(reason) — another session held a lock or the database is overloaded; the request may be retried (raise --statement-timeout-ms if statements legitimately take longer)"
        case .migrationFailed(let location, let reason):
            "\(location): could not bring the receiver schema up to date (\(reason)) — check that the user may create tables, then start again"
        case .keyEnrolledToAnotherAgent(let kid, let agentID):
            "key \(kid) is already enrolled to agent \(agentID) — a key belongs to one agent; generate a new key for this one"
        case .keyRevoked(let kid, let agentID):
            "key \(kid) of agent \(agentID) was revoked and stays revoked — generate a new key (scanbridge keygen) and enrol that"
        case .consumerExists(let name):
            "a consumer named \(name) already exists (names are never reused) — choose another name; `scanbridge receive consumer list --store …` lists them"
        case .unknownConsumer(let name):
            "no consumer \(name) in this store — `scanbridge receive consumer list --store …` lists them"
        case .unknownKey(let kid):
            "no key \(kid) is enrolled in this store — `scanbridge receive agents --store …` lists the enrolled kids"
        }
    }
}
