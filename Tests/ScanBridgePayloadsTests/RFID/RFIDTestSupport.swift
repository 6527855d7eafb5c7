import ScanBridgePayloads

extension RandomNumberGenerator {
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

/// "FF 00 03" → bytes.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    var out: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        out.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return out
}

/// The accounting every decoder exposes for tests and metrics.
protocol AccountedDecoder: ReaderFrameDecoder {
    var bufferedByteCount: Int { get }
    var acceptedByteCount: Int { get }
}

extension MercuryDecoder: AccountedDecoder {}
extension ChafonDecoder: AccountedDecoder {}
extension EM4100Decoder: AccountedDecoder {}
extension ReaderLineDecoder: AccountedDecoder {}

extension ReaderOutput {
    var rejected: RejectedBytes? {
        if case .rejected(let run) = self { return run }
        return nil
    }
    var tag: TagRead? {
        if case .tag(let read) = self { return read }
        return nil
    }
    var reply: ReaderReply? {
        if case .reply(let reply) = self { return reply }
        return nil
    }
}

extension Array where Element == ReaderOutput {
    var rejectedCount: Int { compactMap(\.rejected).reduce(0) { $0 + $1.count } }
    var accepted: [ReaderOutput] { filter { $0.rejected == nil } }
}

/// Feeds everything at once and finishes.
func decodeAll<D: ReaderFrameDecoder>(_ decoder: inout D, _ bytes: [UInt8], now: UInt64 = 1) -> [ReaderOutput] {
    decoder.feed(bytes, now: now) + decoder.finish()
}

/// One item of a generated stream: a frame with the outputs it must produce, or line noise.
struct StreamItem {
    var bytes: [UInt8]
    var expected: [ReaderOutput]
    var isFrame: Bool
    var corrupted = false
}

/// Sends `items` split into random chunks with random time stamps (gaps below the timeout inside frames, sometimes
/// above it between items), and returns everything decoded plus the byte total.
func runStream<D: AccountedDecoder>(
    _ decoder: inout D, items: [StreamItem], timeout: UInt64, rng: inout SeededGenerator
) -> (outputs: [ReaderOutput], fed: Int) {
    var stream: [UInt8] = []
    var boundaries: Set<Int> = [0]
    for item in items {
        stream += item.bytes
        boundaries.insert(stream.count)
    }
    var cuts: [Int] = []
    var position = 0
    while position < stream.count {
        cuts.append(position)
        let step = Int.random(in: 1...64, using: &rng)
        // Now and then cut exactly at an item boundary so a long gap can fall between items.
        if rng.chance(0.3), let boundary = boundaries.filter({ $0 > position && $0 <= position + 200 }).min() {
            position = boundary
        } else {
            position += step
        }
    }
    var outputs: [ReaderOutput] = []
    var now: UInt64 = 1_000
    for (n, start) in cuts.enumerated() {
        let end = n + 1 < cuts.count ? cuts[n + 1] : stream.count
        if boundaries.contains(start), rng.chance(0.15) {
            now += timeout * 2 + UInt64.random(in: 0...timeout, using: &rng)
        } else {
            now += UInt64.random(in: 0...(timeout / 3), using: &rng)
        }
        if let due = decoder.deadline, due <= now, rng.chance(0.5) {
            outputs += decoder.expire(now: now)
        }
        outputs += decoder.feed(Array(stream[start..<end]), now: now)
    }
    outputs += decoder.finish()
    return (outputs, stream.count)
}

/// Builds a stream of frames with garbage between some of them and single-byte flips in some, runs it, and
/// checks: every untouched frame decoded exactly once and in order, nothing else accepted, every byte counted once.
func checkStreamProperty<D: AccountedDecoder>(
    seed: UInt64, timeout: UInt64, makeDecoder: () -> D,
    makeFrame: (inout SeededGenerator) -> StreamItem,
    makeGarbage: (inout SeededGenerator) -> [UInt8],
    frames: Int = 60, flipRate: Double = 0.1
) -> (ok: Bool, message: String) {
    var rng = SeededGenerator(seed: seed)
    var items: [StreamItem] = []
    for _ in 0..<frames {
        if rng.chance(0.25) { items.append(StreamItem(bytes: makeGarbage(&rng), expected: [], isFrame: false)) }
        var item = makeFrame(&rng)
        if rng.chance(flipRate) {
            let at = Int.random(in: 0..<item.bytes.count, using: &rng)
            item.bytes[at] ^= UInt8.random(in: 1...255, using: &rng)
            item.corrupted = true
            item.expected = []
        }
        items.append(item)
    }
    var decoder = makeDecoder()
    let (outputs, fed) = runStream(&decoder, items: items, timeout: timeout, rng: &rng)
    let expected = items.flatMap(\.expected)
    let accepted = outputs.accepted
    if accepted != expected {
        let firstDiff = zip(accepted, expected).enumerated().first { $0.element.0 != $0.element.1 }
        return (
            false,
            "seed \(seed): accepted \(accepted.count) outputs, expected \(expected.count); first difference at "
                + "\(firstDiff.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "end")"
        )
    }
    let rejected = outputs.rejectedCount
    if rejected + decoder.acceptedByteCount != fed || decoder.bufferedByteCount != 0 {
        return (false, "seed \(seed): rejected \(rejected) + accepted \(decoder.acceptedByteCount) != fed \(fed)")
    }
    return (true, "")
}
