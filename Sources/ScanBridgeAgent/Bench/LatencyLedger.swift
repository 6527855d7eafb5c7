import ScanBridgeCore
import Synchronization

/// When each bench scan was written, stored durably and acknowledged (CLOCK_MONOTONIC ns),
/// keyed by the number the scan carries (`B<n>`).
final class LatencyLedger: Sendable {
    private struct Times {
        var written: [UInt64] = []
        var durable: [UInt64] = []
        var acknowledged: [UInt64] = []
        var durableTotal = 0
        var acknowledgedTotal = 0
    }

    private let times = Mutex(Times())

    /// Reserves numbers for the next scans; `count` at a time keeps the lock out of the loop.
    func reserve(_ count: Int) -> Range<Int> {
        times.withLock { times in
            let start = times.written.count
            times.written += repeatElement(0, count: count)
            times.durable += repeatElement(0, count: count)
            times.acknowledged += repeatElement(0, count: count)
            return start..<start + count
        }
    }

    func written(_ number: Int, at time: UInt64) { times.withLock { $0.written[number] = time } }
    func durable(_ number: Int, at time: UInt64) {
        times.withLock {
            if number < $0.durable.count, $0.durable[number] == 0 {
                $0.durable[number] = time
                $0.durableTotal += 1
            }
        }
    }
    func acknowledged(_ number: Int, at time: UInt64) {
        times.withLock {
            if number < $0.acknowledged.count, $0.acknowledged[number] == 0 {
                $0.acknowledged[number] = time
                $0.acknowledgedTotal += 1
            }
        }
    }

    /// Durable but not yet acknowledged: the agent's backlog as the bench sees it.
    var pending: Int { times.withLock { $0.durableTotal - $0.acknowledgedTotal } }

    var writtenCount: Int { times.withLock { $0.written.filter { $0 != 0 }.count } }

    /// Durable and acknowledged counts among the numbers in `range`.
    func counts(in range: Range<Int>) -> (written: Int, durable: Int, acknowledged: Int) {
        times.withLock { times in
            var result = (0, 0, 0)
            for index in range.clamped(to: 0..<times.written.count) {
                if times.written[index] != 0 { result.0 += 1 }
                if times.durable[index] != 0 { result.1 += 1 }
                if times.acknowledged[index] != 0 { result.2 += 1 }
            }
            return result
        }
    }

    /// The first write and the last durable commit among `range`.
    func span(in range: Range<Int>) -> (firstWritten: UInt64, lastDurable: UInt64)? {
        times.withLock { times in
            let indices = range.clamped(to: 0..<times.written.count)
            let written = indices.map { times.written[$0] }.filter { $0 != 0 }
            let durable = indices.map { times.durable[$0] }.filter { $0 != 0 }
            guard let first = written.min(), let last = durable.max(), last > first else { return nil }
            return (first, last)
        }
    }

    func firstAcknowledged(in range: Range<Int>) -> UInt64? {
        times.withLock { times in
            range.clamped(to: 0..<times.acknowledged.count).map { times.acknowledged[$0] }.filter { $0 != 0 }.min()
        }
    }

    /// How many scans in `range` were acknowledged later than `time`.
    func acknowledged(in range: Range<Int>, after time: UInt64) -> Int {
        times.withLock { times in
            range.clamped(to: 0..<times.acknowledged.count).count { times.acknowledged[$0] > time }
        }
    }

    func lastAcknowledged(in range: Range<Int>) -> UInt64? {
        times.withLock { times in
            range.clamped(to: 0..<times.acknowledged.count).map { times.acknowledged[$0] }.filter { $0 != 0 }.max()
        }
    }

    /// Milliseconds from write to durable and to acknowledgement, for scans in `range`.
    func latencies(in range: Range<Int>) -> (durable: [Double], acknowledged: [Double]) {
        times.withLock { times in
            var durable: [Double] = []
            var acknowledged: [Double] = []
            for index in range where index < times.written.count && times.written[index] != 0 {
                let written = times.written[index]
                if times.durable[index] >= written, times.durable[index] != 0 {
                    durable.append(Double(times.durable[index] - written) / 1e6)
                }
                if times.acknowledged[index] >= written, times.acknowledged[index] != 0 {
                    acknowledged.append(Double(times.acknowledged[index] - written) / 1e6)
                }
            }
            return (durable, acknowledged)
        }
    }

    /// The scan number in an event's JSON (its `raw` is base64 of `B<n>`).
    static func number(inEvent bytes: some Collection<UInt8>) -> Int? {
        let marker = Array(#""raw":""#.utf8)
        let array = Array(bytes)
        guard let start = array.firstRange(of: marker)?.upperBound,
            let end = array[start...].firstIndex(of: UInt8(ascii: "\""))
        else { return nil }
        guard let raw = Base64.decode(String(decoding: array[start..<end], as: UTF8.self)),
            raw.first == UInt8(ascii: "B")
        else { return nil }
        return Int(String(decoding: raw.dropFirst(), as: UTF8.self))
    }
}

/// Nearest-rank percentile of unsorted values.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
