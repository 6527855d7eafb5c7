import ScanBridgeWire

/// Bounds on one batch: whichever is reached first closes it.
public struct BatchLimits: Sendable, Equatable {
    public var maxEvents: Int
    public var maxBytes: Int
    /// The hard bound on how long an event waits for its batch.
    public var maxAgeMilliseconds: Int
    /// How long the oldest waiting event waits for company before its batch is sent when the
    /// upstream is idle. None by default: a lone scan goes at once, and what arrives while a
    /// request is in flight waits for it and goes together (one batch in flight at most), so
    /// requests are bounded by the round trip, not by the scan rate. A metered link that
    /// prefers fewer, fuller requests to latency sets it.
    public var lingerMilliseconds: Int

    public static let `default` = BatchLimits(
        maxEvents: 500, maxBytes: 256 * 1024, maxAgeMilliseconds: 1000, lingerMilliseconds: 0)

    public init(maxEvents: Int, maxBytes: Int, maxAgeMilliseconds: Int, lingerMilliseconds: Int = 0) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
        self.maxAgeMilliseconds = maxAgeMilliseconds
        self.lingerMilliseconds = lingerMilliseconds
    }

    /// How old the oldest waiting event may get before a batch that is not full is sent.
    public var sendAfterMilliseconds: Int { min(maxAgeMilliseconds, lingerMilliseconds) }
}

extension BatchBody {
    /// How many of the leading events fit in `limits` (at least one, so an event larger
    /// than the byte limit still travels, alone).
    public static func fittingCount(eventSizes: [Int], envelope: Int, limits: BatchLimits) -> Int {
        var total = envelope
        var count = 0
        for size in eventSizes.prefix(limits.maxEvents) {
            let added = size + (count == 0 ? 0 : 1)
            if count > 0, total + added > limits.maxBytes { break }
            total += added
            count += 1
        }
        return count
    }
}
