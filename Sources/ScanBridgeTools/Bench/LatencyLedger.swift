import CLinuxShims
import ScanBridgeAgent
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

    /// Records one accepted batch's scans under one lock.
    func acknowledged(_ numbers: [Int], at time: UInt64) {
        times.withLock {
            for number in numbers where number < $0.acknowledged.count && $0.acknowledged[number] == 0 {
                $0.acknowledged[number] = time
                $0.acknowledgedTotal += 1
            }
        }
    }

    /// Every scan acknowledged so far, whatever its phase (cheap enough to poll).
    var acknowledgedTotal: Int { times.withLock { $0.acknowledgedTotal } }

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
    /// A plain byte search: the bench's receiver runs this on every event it accepts, on the
    /// same two cores as the agent it measures (the generic `firstRange(of:)` cost it more
    /// than the agent spent draining).
    static func number(inEvent bytes: [UInt8]) -> Int? {
        numbers(in: bytes, first: true).first
    }

    /// Every scan number in an accepted batch's body (each event has one `raw`; the bench's
    /// scans carry nothing else named so), without parsing the batch a second time.
    static func numbers(inBatch body: [UInt8]) -> [Int] {
        numbers(in: body, first: false)
    }

    private static func numbers(in bytes: [UInt8], first: Bool) -> [Int] {
        let marker: [UInt8] = Array(#""raw":""#.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> [Int] in
            var found: [Int] = []
            guard let base = buffer.baseAddress else { return found }
            var index = 0
            // memmem: the bench's receiver reads every accepted body on the cores the
            // agent drains on, and a byte-at-a-time search cost it half a millisecond a batch.
            while let hit = marker.withUnsafeBytes({ needle in
                scanbridge_memmem(base + index, buffer.count - index, needle.baseAddress, needle.count)
            }) {
                let start = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + marker.count
                var end = start
                while end < buffer.count, buffer[end] != UInt8(ascii: "\"") { end += 1 }
                index = end
                guard end < buffer.count,
                    let raw = Base64.decode(
                        String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)),
                    raw.first == UInt8(ascii: "B"), raw.count > 1
                else { continue }
                var number = 0
                var valid = true
                for digit in raw.dropFirst() {
                    guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else {
                        valid = false
                        break
                    }
                    number = number * 10 + Int(digit - UInt8(ascii: "0"))
                }
                if valid {
                    found.append(number)
                    if first { break }
                }
            }
            return found
        }
    }
}

/// Nearest-rank percentile of unsorted values.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
