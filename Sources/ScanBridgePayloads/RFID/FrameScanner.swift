/// What a grammar says about the bytes starting at a candidate frame start.
enum ScanVerdict<Output> {
    /// Plausible so far, but more bytes are needed to decide.
    case needMore
    /// No frame starts here: the first byte is rejected with this reason and scanning resumes one byte later,
    /// so a good frame that began inside a false one is still found.
    case skip(RejectedBytes.Reason)
    /// A frame of `length` bytes starts here.
    case frame(length: Int, outputs: [Output])
}

/// One wire format: how to recognise a frame at the start of a byte slice.
protocol FrameGrammar: Sendable {
    associatedtype Output: Sendable
    /// The longest frame the protocol allows; a candidate never needs more bytes than this to be decided.
    var maxFrameLength: Int { get }
    func examine(_ bytes: ArraySlice<UInt8>) -> ScanVerdict<Output>
    static func rejected(_ run: RejectedBytes) -> Output
}

/// A run of rejected bytes being merged until something else happens on the wire.
struct RejectRun: Sendable {
    var reason: RejectedBytes.Reason
    var count = 0
    var sample: [UInt8] = []

    init(reason: RejectedBytes.Reason) { self.reason = reason }

    mutating func add(_ byte: UInt8, _ why: RejectedBytes.Reason) {
        // The run keeps the first informative reason: "bad CRC" says more than the garbage that follows it.
        if reason == .garbage && why != .garbage { reason = why }
        count += 1
        if sample.count < RejectedBytes.sampleLimit { sample.append(byte) }
    }

    var value: RejectedBytes { RejectedBytes(reason: reason, count: count, sample: sample) }
}

/// The shared resynchronising engine behind every binary decoder.
///
/// Input is appended in slices no longer than the protocol's maximum frame, and every decided byte is dropped at
/// once, so the buffer never holds more than about two maximum frames whatever is fed.
struct FrameScanner<Grammar: FrameGrammar>: Sendable {
    var grammar: Grammar
    let timeout: UInt64
    private(set) var buffer: [UInt8] = []
    private var run: RejectRun?
    private var lastByteTime: UInt64 = 0
    /// Bytes that ended up in accepted frames.
    private(set) var acceptedByteCount = 0

    init(grammar: Grammar, timeout: UInt64) {
        self.grammar = grammar
        self.timeout = timeout
    }

    var deadline: UInt64? {
        guard !buffer.isEmpty else { return nil }
        let (sum, overflow) = lastByteTime.addingReportingOverflow(timeout)
        return overflow ? UInt64.max : sum
    }

    mutating func feed(_ bytes: [UInt8], now: UInt64) -> [Grammar.Output] {
        var out: [Grammar.Output] = []
        // The gap is judged only by `expire`, which the caller invokes when the line was really
        // quiet: bytes that queued in the kernel while the caller was busy (a slow commit) carry
        // a late `now` but arrived in time, and must not cut the frame they continue.
        if !bytes.isEmpty { lastByteTime = now }
        let step = max(grammar.maxFrameLength, 64)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let end = min(index + step, bytes.endIndex)
            buffer.append(contentsOf: bytes[index..<end])
            scan(into: &out, final: false)
            index = end
        }
        if buffer.isEmpty { flushRun(into: &out) }
        return out
    }

    mutating func expire(now: UInt64) -> [Grammar.Output] {
        guard let due = deadline, now >= due else { return [] }
        return finish()
    }

    mutating func finish() -> [Grammar.Output] {
        var out: [Grammar.Output] = []
        scan(into: &out, final: true)
        flushRun(into: &out)
        return out
    }

    private mutating func scan(into out: inout [Grammar.Output], final: Bool) {
        var position = buffer.startIndex
        scanning: while position < buffer.endIndex {
            switch grammar.examine(buffer[position...]) {
            case .needMore:
                if !final { break scanning }
                reject(buffer[position], .incomplete)
                position += 1
            case .skip(let reason):
                reject(buffer[position], reason)
                position += 1
            case .frame(let length, let outputs):
                flushRun(into: &out)
                out.append(contentsOf: outputs)
                acceptedByteCount += length
                position += length
            }
        }
        buffer.removeFirst(position - buffer.startIndex)
    }

    private mutating func reject(_ byte: UInt8, _ reason: RejectedBytes.Reason) {
        if run == nil { run = RejectRun(reason: reason) }
        run?.add(byte, reason)
    }

    private mutating func flushRun(into out: inout [Grammar.Output]) {
        if let finished = run {
            out.append(Grammar.rejected(finished.value))
            run = nil
        }
    }
}

extension ArraySlice where Element == UInt8 {
    /// Byte at an offset from the slice start (slices keep their parent's indices).
    @inline(__always) func byteAt(_ offset: Int) -> UInt8 { self[startIndex + offset] }

    /// Big-endian 16-bit value at an offset from the slice start.
    @inline(__always) func u16be(_ offset: Int) -> UInt16 { UInt16(byteAt(offset)) << 8 | UInt16(byteAt(offset + 1)) }
}
