import ScanBridgeCore

/// A batch exactly as it was signed. Resending uses these bytes, never a rebuild, so the
/// receiver sees the same body, hash and signature after any restart.
public struct StoredBatch: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, acknowledged, parked
    }

    public var batchSeq: Int64
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var eventCount: Int
    public var body: [UInt8]
    public var sha256: String
    public var jws: String
    public var status: Status
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Timestamp
    public var acknowledgedAt: Timestamp?

    public init(
        batchSeq: Int64, firstSeq: Int64, lastSeq: Int64, eventCount: Int, body: [UInt8], sha256: String,
        jws: String, status: Status = .pending, attempts: Int = 0, lastError: String? = nil,
        createdAt: Timestamp, acknowledgedAt: Timestamp? = nil
    ) {
        self.batchSeq = batchSeq
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.eventCount = eventCount
        self.body = body
        self.sha256 = sha256
        self.jws = jws
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.acknowledgedAt = acknowledgedAt
    }
}

/// The end of the batch chain: what the next batch continues from.
public struct ChainHead: Sendable, Equatable {
    public var batchSeq: Int64
    public var sha256: String?
    public var lastEventSeq: Int64

    public static let genesis = ChainHead(batchSeq: 0, sha256: nil, lastEventSeq: 0)

    public init(batchSeq: Int64, sha256: String?, lastEventSeq: Int64) {
        self.batchSeq = batchSeq
        self.sha256 = sha256
        self.lastEventSeq = lastEventSeq
    }
}

/// An outbox event's stored bytes.
public struct OutboxEvent: Sendable {
    public var seq: Int64
    public var body: [UInt8]
    public var storedAt: Timestamp

    public init(seq: Int64, body: [UInt8], storedAt: Timestamp) {
        self.seq = seq
        self.body = body
        self.storedAt = storedAt
    }
}
