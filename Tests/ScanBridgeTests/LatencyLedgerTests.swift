import ScanBridgeCore
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeAgent

/// The bench counts a scan as acknowledged only when its number is found in an accepted
/// batch: a number missed would hang the drain phase, one misread would falsify latencies.
@Suite("Bench latency ledger")
struct LatencyLedgerTests {
    static func event(seq: Int64, raw: String) -> [UInt8] {
        var data = JSONWriter()
        data.beginObject()
        data.field("text", raw)
        data.endObject()
        return PendingEvent(
            type: .barcodeScanned, occurredAt: .now(), device: DeviceIdentity(id: "bench-0", transport: .serial),
            data: data.bytes, raw: Array(raw.utf8)
        ).serialized(seq: seq)
    }

    @Test("every bench scan number in a batch body is found once, in order, and other raws are skipped")
    func numbersInBatch() {
        let raws = ["B0", "B7", "not-a-scan", "B", "B12a", "B123456789", "B42"]
        let events = raws.enumerated().map { Self.event(seq: Int64($0.offset + 1), raw: $0.element) }
        let body = BatchBody.build(
            agentID: "bench", batchSeq: 1, previousSHA256: nil, createdAt: .now(), events: events)
        #expect(LatencyLedger.numbers(inBatch: body) == [0, 7, 123_456_789, 42])
        #expect(LatencyLedger.number(inEvent: Self.event(seq: 1, raw: "B99")) == 99)
        #expect(LatencyLedger.number(inEvent: Self.event(seq: 1, raw: "C99")) == nil)
        #expect(LatencyLedger.numbers(inBatch: []) == [])
    }
}
