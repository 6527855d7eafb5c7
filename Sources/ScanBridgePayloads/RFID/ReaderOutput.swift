/// Which wire protocol a serial RFID reader speaks; the agent picks the decoder from it.
public enum ReaderProtocol: String, Sendable, CaseIterable {
    case mercury
    case chafon
    case stxHexXor = "stx-hex-xor"
    case lines
}

/// One tag read as the reader reported it.
public struct TagRead: Sendable, Hashable {
    /// EPC bytes (without PC/CRC words); EM4100: the 5 ID bytes.
    public var epc: [UInt8]
    /// 1-based antenna/port; nil where the protocol carries none.
    public var antenna: Int?
    /// Only where the protocol defines dBm (Mercury).
    public var rssiDBm: Int?
    /// A raw RSSI value with no documented unit (Chafon 0xEE, line pattern).
    public var rssiRaw: Int?
    /// The reader's own read count where reported, else 1.
    public var readCount: Int
    /// The exact bytes of the frame (or line, without terminator), kept for audit.
    public var frame: [UInt8]

    public init(
        epc: [UInt8], antenna: Int? = nil, rssiDBm: Int? = nil, rssiRaw: Int? = nil, readCount: Int = 1,
        frame: [UInt8] = []
    ) {
        self.epc = epc
        self.antenna = antenna
        self.rssiDBm = rssiDBm
        self.rssiRaw = rssiRaw
        self.readCount = readCount
        self.frame = frame
    }
}

/// A frame from the reader that is not a tag read (a reply to a command, a keep-alive).
public struct ReaderReply: Sendable, Hashable {
    public var command: UInt8
    /// Mercury: the 16-bit status word; Chafon: the status byte.
    public var status: UInt16
    public var data: [UInt8]
    public var frame: [UInt8]

    public init(command: UInt8, status: UInt16, data: [UInt8], frame: [UInt8]) {
        self.command = command
        self.status = status
        self.data = data
        self.frame = frame
    }
}

/// Bytes the decoder could not place in any frame; reported so the agent can count and log line noise.
public struct RejectedBytes: Sendable, Hashable {
    public enum Reason: String, Sendable {
        case badCRC = "bad_crc"
        case badLength = "bad_length"
        case garbage
        case oversize
        case malformed
        case incomplete
    }

    public var reason: Reason
    /// Bytes in this rejected run (all counted).
    public var count: Int
    /// The first ≤ 256 of them, for diagnosis.
    public var sample: [UInt8]

    public static let sampleLimit = 256

    public init(reason: Reason, count: Int, sample: [UInt8]) {
        self.reason = reason
        self.count = count
        self.sample = sample
    }
}

/// What a reader-side decoder produces, in wire order.
public enum ReaderOutput: Sendable, Hashable {
    case tag(TagRead)
    case reply(ReaderReply)
    case rejected(RejectedBytes)
}

/// A command frame sent by the host, as seen by a reader simulator.
public struct HostCommand: Sendable, Hashable {
    public var command: UInt8
    /// Chafon reader address; nil for Mercury (no address field).
    public var address: UInt8?
    public var data: [UInt8]
    public var frame: [UInt8]

    public init(command: UInt8, address: UInt8?, data: [UInt8], frame: [UInt8]) {
        self.command = command
        self.address = address
        self.data = data
        self.frame = frame
    }
}

extension HostCommand {
    /// Mercury's name for the command byte.
    public var opcode: UInt8 { command }
}

/// What a reader-side (simulator) command decoder produces, in wire order.
public enum HostCommandOutput: Sendable, Hashable {
    case command(HostCommand)
    case rejected(RejectedBytes)
}

/// Byte-in / frame-out state machine (swift-nio ByteToMessageDecoder style). Times are monotonic nanoseconds.
public protocol ReaderFrameDecoder: Sendable {
    mutating func feed(_ bytes: [UInt8], now: UInt64) -> [ReaderOutput]
    /// When the pending partial frame's inter-byte timeout falls due; nil when nothing is pending.
    var deadline: UInt64? { get }
    /// Called when now >= deadline: the pending false/partial start is rejected and the bytes behind it re-scanned.
    mutating func expire(now: UInt64) -> [ReaderOutput]
    /// Device closed or shutdown: everything pending is re-scanned, whatever remains is rejected (`incomplete`).
    mutating func finish() -> [ReaderOutput]
}
