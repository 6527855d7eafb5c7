import ScanBridgeCore
import ScanBridgePayloads

/// Keeps a sample of rejected reader bytes in quarantine without letting a noisy line (a
/// wrong baud rate, a failing cable) flood the outbox: at most `perMinute` samples a minute,
/// the rest counted and summarised in the log.
public struct RejectionBudget: Sendable {
    public var perMinute = 10
    private var windowStart: UInt64 = 0
    private var used = 0
    private var suppressedRuns = 0
    private var suppressedBytes = 0

    public init(perMinute: Int = 10) {
        self.perMinute = perMinute
    }

    /// The quarantine entry for `rejected` while the minute's budget lasts, and the summary
    /// of the last minute's suppressed runs when a new minute begins.
    public mutating func admit(_ rejected: RejectedBytes, builder: ScanEventBuilder, at instant: ReadingInstant)
        -> (entry: OutboxEntry?, note: Note?)
    {
        var note: Note?
        if instant.monotonic &- windowStart >= 60_000_000_000 {
            if suppressedRuns > 0 {
                note = Note(
                    .warning,
                    "reader line noisy: \(suppressedRuns) more rejected byte runs (\(suppressedBytes) bytes) in the last minute were counted but not kept — check baud rate, parity and cable"
                )
            }
            windowStart = instant.monotonic
            used = 0
            suppressedRuns = 0
            suppressedBytes = 0
        }
        guard used < perMinute else {
            suppressedRuns += 1
            suppressedBytes += rejected.count
            return (nil, note)
        }
        used += 1
        let message =
            "reader bytes rejected (\(rejected.reason.rawValue)): \(rejected.count) bytes; the first \(rejected.sample.count) are kept"
        let entry = builder.rejected(
            rejected.sample, code: "frame_" + rejected.reason.rawValue, message: message, length: rejected.count,
            at: instant.wall, clockSynchronized: instant.clockSynchronized)
        return (entry, note)
    }
}
