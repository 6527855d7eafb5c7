/// Reader-side (simulator) decoder for Chafon host commands: `Len Adr Cmd Data… CRC` with a known command.
public struct ChafonCommandDecoder: Sendable {
    public typealias Command = HostCommand

    private var scanner: FrameScanner<ChafonCommandGrammar>
    private var untimed = UntimedCommandFeed()
    /// Bytes rejected through the untimed `feed(_:)`, which returns commands only.
    public var rejectedByteCount: Int { untimed.rejectedByteCount }

    /// `address`: nil accepts any; otherwise this reader's address (0xFF broadcast always accepted).
    public init(address: UInt8? = nil, interByteTimeoutNanos: UInt64 = 15_000_000) {
        scanner = FrameScanner(grammar: ChafonCommandGrammar(address: address), timeout: interByteTimeoutNanos)
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

struct ChafonCommandGrammar: FrameGrammar {
    let address: UInt8?

    var maxFrameLength: Int { 256 }

    static func rejected(_ run: RejectedBytes) -> HostCommandOutput { .rejected(run) }

    func examine(_ bytes: ArraySlice<UInt8>) -> ScanVerdict<HostCommandOutput> {
        let len = Int(bytes.byteAt(0))
        guard len >= 4 else { return .skip(.garbage) }
        guard bytes.count >= 2 else { return .needMore }
        let adr = bytes.byteAt(1)
        if let wanted = address, adr != wanted, adr != ChafonFrame.broadcast { return .skip(.garbage) }
        guard bytes.count >= 3 else { return .needMore }
        guard ChafonFrame.hostCommands.contains(bytes.byteAt(2)) else { return .skip(.garbage) }
        let length = len + 1
        guard bytes.count >= length else { return .needMore }
        let crc = UInt16(bytes.byteAt(length - 2)) | UInt16(bytes.byteAt(length - 1)) << 8
        guard ChafonCRC.checksum(bytes.prefix(length - 2)) == crc else { return .skip(.badCRC) }
        let frame = Array(bytes.prefix(length))
        let command = HostCommand(command: frame[2], address: adr, data: Array(frame[3..<length - 2]), frame: frame)
        return .frame(length: length, outputs: [.command(command)])
    }
}
