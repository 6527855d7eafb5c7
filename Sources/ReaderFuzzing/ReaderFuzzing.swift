import ScanBridgeCore
import ScanBridgePayloads

/// What every reader codec fuzz target shares: an input-driven chunker and clock, and the
/// invariants checked after every call (bounded buffers, every byte counted once, every
/// output made of input bytes).
/// Splits the input into chunks and time steps driven by its first two bytes, so chunk boundaries and quiet-line
/// timeouts are exercised, and checks the decoder's invariants after every call.
public struct FuzzDriver {
    var generator: SplitMix64
    public init(_ input: [UInt8]) {
        generator = SplitMix64(
            seed: UInt64(input.first ?? 0) << 8 | UInt64(input.count > 1 ? input[1] : 0) | 0x9E37_0000)
    }
    public mutating func next() -> UInt64 { generator.next() }
}

/// True when `needle` occurs contiguously in `haystack`: an output frame must be bytes that were fed.
public func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
    guard !needle.isEmpty, needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
    }
    return false
}

public func checkRejected(_ run: RejectedBytes) {
    precondition(run.count > 0, "empty rejected run")
    precondition(run.sample.count == min(run.count, RejectedBytes.sampleLimit), "sample size wrong")
}

public func check(_ outputs: [ReaderOutput], payload: [UInt8], rejected: inout Int) {
    for output in outputs {
        switch output {
        case .tag(let read): precondition(occurs(read.frame, in: payload), "tag frame not from the input")
        case .reply(let reply): precondition(occurs(reply.frame, in: payload), "reply frame not from the input")
        case .rejected(let run):
            checkRejected(run)
            precondition(occurs(run.sample, in: payload), "rejected sample not from the input")
            rejected += run.count
        }
    }
}

/// Feeds `payload` in chunks with advancing fake times, then finishes, checking bounds and accounting.
public func drive<D: ReaderFrameDecoder>(
    _ decoder: inout D, payload: [UInt8], driver: inout FuzzDriver, timeout: UInt64, bound: Int,
    buffered: (D) -> Int, accepted: (D) -> Int
) {
    var rejected = 0
    var now: UInt64 = 1
    var position = 0
    while position < payload.count {
        let size = Int(driver.next() % 48) + 1
        let end = min(position + size, payload.count)
        let roll = driver.next() % 8
        now += roll == 0 ? timeout + driver.next() % timeout : driver.next() % (timeout / 2 + 1)
        if let due = decoder.deadline, due <= now, roll & 1 == 1 {
            check(decoder.expire(now: now), payload: payload, rejected: &rejected)
            precondition(decoder.deadline.map { $0 > now } ?? true, "expire left an overdue candidate")
        }
        check(decoder.feed(Array(payload[position..<end]), now: now), payload: payload, rejected: &rejected)
        precondition(buffered(decoder) <= bound, "buffer grew to \(buffered(decoder))")
        position = end
    }
    check(decoder.finish(), payload: payload, rejected: &rejected)
    precondition(buffered(decoder) == 0 && decoder.deadline == nil, "finish left bytes pending")
    precondition(rejected + accepted(decoder) == payload.count, "bytes not counted exactly once")
}
