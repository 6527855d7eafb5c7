import ScanBridgeCore

/// A batch body as read back from the wire, with each event's exact bytes.
public struct WireBatch: Sendable {
    public struct Event: Sendable {
        public var id: String
        public var seq: Int64
        public var type: String
        public var occurredAt: String
        public var bytes: [UInt8]
    }

    public var agentID: String
    public var batchSeq: Int64
    public var previousSHA256: String?
    public var createdAt: String
    public var events: [Event]

    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Reads a batch body in one pass (see `WireBatchParser`); every refusal says which field
    /// or byte is wrong.
    public static func parse(_ body: [UInt8]) throws(Malformed) -> WireBatch {
        let batch = try body.withUnsafeBufferPointer { bytes throws(Malformed) in
            var parser = WireBatchParser(bytes)
            return try parser.batch()
        }
        guard !batch.agentID.isEmpty else { throw Malformed(reason: "agent_id must not be empty") }
        guard batch.batchSeq >= 1 else { throw Malformed(reason: "batch_seq must be ≥ 1") }
        if let previous = batch.previousSHA256, previous.utf8.count != 64 || Hex.decode(previous) == nil {
            throw Malformed(reason: "prev_sha256 must be null or 64 hex digits")
        }
        guard Timestamp(iso8601: batch.createdAt) != nil else {
            throw Malformed(reason: "created_at must be an RFC 3339 UTC timestamp")
        }
        for (index, event) in batch.events.enumerated() {
            guard event.seq >= 1, Timestamp(iso8601: event.occurredAt) != nil else {
                throw Malformed(reason: "events[\(index)] needs seq ≥ 1 and occurred_at as an RFC 3339 UTC timestamp")
            }
        }
        var normalised = batch
        normalised.previousSHA256 = batch.previousSHA256?.lowercased()
        return normalised
    }
}
