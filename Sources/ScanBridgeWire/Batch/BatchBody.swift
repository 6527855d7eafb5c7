import Crypto
import ScanBridgeCore

/// Builds the exact bytes of a batch body.
///
/// Events are inserted as the outbox stored them; only the envelope is written here, so the
/// same events always yield the same bytes and the hash chain is reproducible.
public enum BatchBody {
    /// Bytes of the envelope around the events (everything but the events themselves).
    public static func envelopeSize(agentID: String, batchSeq: Int64) -> Int {
        build(
            agentID: agentID, batchSeq: batchSeq, previousSHA256: String(repeating: "0", count: 64),
            createdAt: Timestamp(microsecondsSinceEpoch: 0), events: []
        ).count
    }

    public static func build(
        agentID: String, batchSeq: Int64, previousSHA256: String?, createdAt: Timestamp, events: [[UInt8]]
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 160 + events.reduce(0) { $0 + $1.count + 1 })
        writer.beginObject()
        writer.field("agent_id", agentID)
        writer.field("batch_seq", batchSeq)
        writer.field("prev_sha256", previousSHA256)
        writer.field("created_at", createdAt.iso8601)
        writer.key("events")
        writer.beginArray()
        for event in events { writer.raw(event) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}
