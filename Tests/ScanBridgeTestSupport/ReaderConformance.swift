import Foundation
import ScanBridgeCore
import ScanBridgeTools
import Testing

/// What a reader run must deliver, whether its bytes went through a terminal and the agent or
/// straight into the reader machine: the intact reads, in order, each once.
enum ReaderConformance {
    struct Observed: Equatable, CustomStringConvertible {
        var epcHex: String
        var antenna: Int?
        var rssiDBm: Int?
        var rssiRaw: Int?
        var reads: Int

        var description: String {
            "\(epcHex) ant \(antenna.map(String.init) ?? "-") dBm \(rssiDBm.map(String.init) ?? "-") raw \(rssiRaw.map(String.init) ?? "-") ×\(reads)"
        }

        init(_ read: ReaderScript.Read) {
            epcHex = Hex.encode(read.epc).uppercased()
            antenna = read.antenna
            rssiDBm = read.rssiDBm
            rssiRaw = read.rssiRaw
            reads = read.readCount
        }

        init(json: [String: Any]) {
            epcHex = json["epc_hex"] as? String ?? ""
            antenna = json["antenna"] as? Int
            rssiDBm = json["rssi_dbm"] as? Int
            rssiRaw = json["rssi_raw"] as? Int
            reads = json["reads"] as? Int ?? 0
        }
    }

    /// What a run sent and what came out of it.
    struct Outcome {
        var sent: ReaderSimulation.Ledger
        var observed: [Observed]
        var data: [[String: Any]]
        var commands: [UInt8]
        var rejectedBytes: Int
    }

    /// For protocols with a CRC: exactly the intact reads, in order, each once.
    static func expectExact(_ outcome: Outcome, _ label: String) {
        let expected = outcome.sent.intactReads.map(Observed.init)
        #expect(outcome.sent.framesSpoiled > 0 || outcome.sent.reads.count < 1000, "\(label): corruption happened")
        #expect(outcome.observed.count == expected.count, "\(label): observations")
        if outcome.observed != expected {
            let index =
                zip(outcome.observed, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(outcome.observed.count, expected.count)
            Issue.record(
                "\(label): first difference at \(index): got \(index < outcome.observed.count ? outcome.observed[index].description : "nothing"), sent \(index < expected.count ? expected[index].description : "nothing")"
            )
        }
    }

    /// For protocols without a real check (EM4100's XOR, plain lines): every intact read
    /// arrives in order, and anything extra is attributable to a spoiled frame.
    static func expectIntactSubsequence(_ outcome: Outcome, _ label: String, maxExtra: Int) {
        let expected = outcome.sent.intactReads.map(Observed.init)
        var index = 0
        for observed in outcome.observed where index < expected.count && observed == expected[index] { index += 1 }
        #expect(
            index == expected.count,
            "\(label): intact read \(index) of \(expected.count) missing or out of order (observed \(outcome.observed.count); sent \(index < expected.count ? expected[index].description : "-"), observed around: \(outcome.observed.dropFirst(max(0, index - 2)).prefix(4).map(\.description))"
        )
        let extra = outcome.observed.count - expected.count
        #expect(extra >= 0 && extra <= maxExtra, "\(label): \(extra) observations not sent intact")
    }
}
