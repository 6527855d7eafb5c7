/// Reader-side (simulator) decoder for Mercury host commands: `FF len opcode data… crc` with a known opcode.
public struct MercuryCommandDecoder: Sendable {
    public typealias Command = HostCommand

    private var scanner: FrameScanner<MercuryCommandGrammar>
    private var untimed = UntimedCommandFeed()
    /// Bytes rejected through the untimed `feed(_:)`, which returns commands only.
    public var rejectedByteCount: Int { untimed.rejectedByteCount }

    public init(interByteTimeoutNanos: UInt64 = 50_000_000) {
        scanner = FrameScanner(grammar: MercuryCommandGrammar(), timeout: interByteTimeoutNanos)
    }

    public mutating func feed(_ bytes: [UInt8], now: UInt64) -> [HostCommandOutput] { scanner.feed(bytes, now: now) }
    public var deadline: UInt64? { scanner.deadline }
    public mutating func expire(now: UInt64) -> [HostCommandOutput] { scanner.expire(now: now) }
    public mutating func finish() -> [HostCommandOutput] { scanner.finish() }
    public var bufferedByteCount: Int { scanner.buffer.count }

    /// Simulator convenience: stamps the bytes with the monotonic clock, applies the inter-byte timeout itself and
    /// returns the commands only (rejected bytes are added to `rejectedByteCount`).
    public mutating func feed(_ bytes: [UInt8]) -> [Command] {
        let now = untimed.now()
        return untimed.commands(from: feed(bytes, now: now))
    }
    public var acceptedByteCount: Int { scanner.acceptedByteCount }
}

struct MercuryCommandGrammar: FrameGrammar {
    var maxFrameLength: Int { 255 + 5 }

    static func rejected(_ run: RejectedBytes) -> HostCommandOutput { .rejected(run) }

    func examine(_ bytes: ArraySlice<UInt8>) -> ScanVerdict<HostCommandOutput> {
        guard bytes.byteAt(0) == MercuryFrame.header else { return .skip(.garbage) }
        guard bytes.count >= 3 else { return .needMore }
        guard MercuryFrame.isKnownOpcode(bytes.byteAt(2)) else { return .skip(.garbage) }
        let length = Int(bytes.byteAt(1)) + 5
        guard bytes.count >= length else { return .needMore }
        let body = bytes[bytes.startIndex + 1..<bytes.startIndex + length - 2]
        guard MercuryCRC.checksum(body) == bytes.u16be(length - 2) else { return .skip(.badCRC) }
        let frame = Array(bytes.prefix(length))
        let command = HostCommand(command: frame[2], address: nil, data: Array(frame[3..<length - 2]), frame: frame)
        return .frame(length: length, outputs: [.command(command)])
    }
}
