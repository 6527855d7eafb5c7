import ScanBridgeWire

/// What makes a 2xx an acknowledgement (`upstream.acknowledgement`).
///
/// A captive portal, a misrouted proxy or a gateway answers `200 <html>` to anything; counting
/// that as delivery would let the agent prune events nobody holds. By default only a receiver
/// that names the batch it stored acknowledges it.
public enum Acknowledgement: String, Sendable, Equatable, CaseIterable {
    /// A 2xx whose body is a JSON object with `"batch_seq"` equal to the batch sent.
    case batchSeq = "batch_seq"
    /// Any 2xx: for endpoints that cannot answer JSON. Weaker: a proxy's 200 counts too.
    case status

    /// Whether a 2xx `body` acknowledges batch `batchSeq` under this rule.
    public func acknowledges(body: String, batchSeq: Int64) -> Bool {
        switch self {
        case .status: return true
        case .batchSeq: return Self.namedBatch(in: body) == batchSeq
        }
    }

    /// The integer `batch_seq` member of a JSON object body; nil for anything else.
    static func namedBatch(in body: String) -> Int64? {
        guard case .number(let number) = JSONFields.object(from: body.utf8)?["batch_seq"],
            number.rounded() == number, abs(number) <= 9_007_199_254_740_992
        else { return nil }
        return Int64(number)
    }
}
