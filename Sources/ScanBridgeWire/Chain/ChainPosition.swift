/// Where an agent's chain stands: the last batch accepted and the last event it held.
public struct ChainPosition: Sendable, Equatable {
    public var batchSeq: Int64
    public var sha256: String?
    public var lastEventSeq: Int64

    public static let start = ChainPosition(batchSeq: 0, sha256: nil, lastEventSeq: 0)

    public init(batchSeq: Int64, sha256: String?, lastEventSeq: Int64) {
        self.batchSeq = batchSeq
        self.sha256 = sha256
        self.lastEventSeq = lastEventSeq
    }
}

/// Why a batch does not continue a chain.
public enum ChainViolation: Error, Equatable, Sendable, CustomStringConvertible {
    case outOfOrder(expectedBatchSeq: Int64, got: Int64)
    case chainBroken(expectedPrevious: String?, got: String?)
    case eventGap(expectedSeq: Int64, got: Int64)
    case empty

    public var description: String {
        switch self {
        case .outOfOrder(let expected, let got):
            "batch_seq \(got) where \(expected) was expected"
        case .chainBroken(let expected, let got):
            "prev_sha256 is \(got ?? "null") but the previous batch hashes to \(expected ?? "null")"
        case .eventGap(let expected, let got):
            "event seq \(got) where \(expected) was expected"
        case .empty:
            "batch holds no events"
        }
    }

    /// Checks that `batch` (hashing to `sha256`) directly follows `position`.
    public static func check(_ batch: WireBatch, sha256: String, following position: ChainPosition)
        throws(ChainViolation) -> ChainPosition
    {
        guard batch.batchSeq == position.batchSeq + 1 else {
            throw .outOfOrder(expectedBatchSeq: position.batchSeq + 1, got: batch.batchSeq)
        }
        guard batch.previousSHA256 == position.sha256 else {
            throw .chainBroken(expectedPrevious: position.sha256, got: batch.previousSHA256)
        }
        guard !batch.events.isEmpty else { throw .empty }
        var expected = position.lastEventSeq + 1
        for event in batch.events {
            guard event.seq == expected else { throw .eventGap(expectedSeq: expected, got: event.seq) }
            expected += 1
        }
        return ChainPosition(batchSeq: batch.batchSeq, sha256: sha256, lastEventSeq: expected - 1)
    }
}
