/// Notices a device that floods: a stuck trigger, a scanner in a loop, a wrong baud rate turning
/// line noise into bytes. Memory stays bounded either way (lines are cut, rejections sampled);
/// this is what tells the operator.
///
/// A human-operated scanner sends a few scans a second at most; the limits are far above that
/// (default 8 KiB/s or 200 payloads/s over 10 s; a conveyor presentation scanner reads a few
/// dozen a second), so a flood is unmistakable. The alert is
/// raised once when a flood starts (as soon as a window's budget is spent) and cleared when a
/// whole window stays under the limits.
public struct RateWatch: Sendable {
    public enum Change: Sendable, Equatable {
        case started(bytesPerSecond: Int, payloadsPerSecond: Int)
        case ended
    }

    public let windowNanoseconds: UInt64
    public let bytesPerSecond: Int
    public let payloadsPerSecond: Int
    private var windowStart: UInt64?
    private var bytes = 0
    private var payloads = 0
    public private(set) var isFlooding = false

    public init(windowMilliseconds: Int = 10_000, bytesPerSecond: Int = 8192, payloadsPerSecond: Int = 200) {
        windowNanoseconds = UInt64(windowMilliseconds) * 1_000_000
        self.bytesPerSecond = bytesPerSecond
        self.payloadsPerSecond = payloadsPerSecond
    }

    /// Counts a chunk received at `now` (CLOCK_MONOTONIC nanoseconds); returns a change of state.
    public mutating func record(bytes count: Int, payloads received: Int, now: UInt64) -> Change? {
        let start = windowStart ?? now
        if now &- start >= windowNanoseconds {
            let ended = isFlooding && !over(seconds: Double(now &- start) / 1e9)
            windowStart = now
            bytes = count
            payloads = received
            if ended {
                isFlooding = false
                return .ended
            }
        } else {
            windowStart = start
            bytes += count
            payloads += received
        }
        let window = Double(windowNanoseconds) / 1e9
        if !isFlooding, over(seconds: window) {
            isFlooding = true
            let elapsed = max(Double(now &- (windowStart ?? now)) / 1e9, 0.001)
            return .started(
                bytesPerSecond: Int(Double(bytes) / elapsed), payloadsPerSecond: Int(Double(payloads) / elapsed))
        }
        return nil
    }

    private func over(seconds: Double) -> Bool {
        Double(bytes) > Double(bytesPerSecond) * seconds || Double(payloads) > Double(payloadsPerSecond) * seconds
    }
}
