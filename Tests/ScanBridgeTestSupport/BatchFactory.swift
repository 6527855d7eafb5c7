import Foundation
import Logging
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

/// Builds signed batches the way the agent does, for driving the receiver directly.
struct BatchFactory {
    let key: SigningKey
    let agentID: String
    var nextSeq: Int64 = 1
    var batchSeq: Int64 = 0
    var previous: String?

    init(key: SigningKey = SigningKey(), agentID: String = "agent-test") {
        self.key = key
        self.agentID = agentID
    }

    static func event(seq: Int64, text: String = "]C10109501101530003") -> [UInt8] {
        var data = JSONWriter()
        data.beginObject()
        data.field("text", text)
        data.endObject()
        return PendingEvent(
            type: .barcodeScanned, occurredAt: .now(), device: DeviceIdentity(id: "dev", transport: .serial),
            data: data.bytes, raw: Array(text.utf8)
        ).serialized(seq: seq)
    }

    mutating func next(events count: Int) throws -> (body: [UInt8], jws: String) {
        try next(scans(count), signedBy: key)
    }

    /// The next batch of the chain holding `events`, signed by `signer` (a test may switch keys
    /// or forge a continuation).
    mutating func next(_ events: [[UInt8]], signedBy signer: SigningKey) throws -> (body: [UInt8], jws: String) {
        batchSeq += 1
        let body = BatchBody.build(
            agentID: agentID, batchSeq: batchSeq, previousSHA256: previous, createdAt: .now(), events: events)
        previous = BatchBody.sha256Hex(body)
        return (body, try DetachedJWS.sign(body, with: signer))
    }

    /// The next `count` scan events, numbered on from the last.
    mutating func scans(_ count: Int) -> [[UInt8]] {
        defer { nextSeq += Int64(count) }
        return (0..<Int64(count)).map { Self.event(seq: nextSeq + $0) }
    }
}
