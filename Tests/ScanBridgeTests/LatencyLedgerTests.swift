import ScanBridgeCore
import ScanBridgeWire
import Testing

@testable import ScanBridgeAgent
@testable import ScanBridgeTestSupport
@testable import ScanBridgeTools

/// The bench counts a scan as acknowledged only when its number is found in an accepted
/// batch: a number missed would hang the drain phase, one misread would falsify latencies.
@Suite("Bench latency ledger", .temporaryDirectory)
struct LatencyLedgerTests {
    @Test("every bench scan number in a batch body is found once, in order, and other raws are skipped")
    func numbersInBatch() {
        let raws = ["B0", "B7", "not-a-scan", "B", "B12a", "B123456789", "B42"]
        let events = raws.enumerated().map { BatchFactory.event(seq: Int64($0.offset + 1), text: $0.element) }
        let body = BatchBody.build(
            agentID: "bench", batchSeq: 1, previousSHA256: nil, createdAt: .now(), events: events)
        #expect(LatencyLedger.numbers(inBatch: body) == [0, 7, 123_456_789, 42])
        #expect(LatencyLedger.number(inEvent: BatchFactory.event(seq: 1, text: "B99")) == 99)
        #expect(LatencyLedger.number(inEvent: BatchFactory.event(seq: 1, text: "C99")) == nil)
        #expect(LatencyLedger.numbers(inBatch: []) == [])
    }
}
