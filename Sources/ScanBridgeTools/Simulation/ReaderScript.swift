import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgePayloads

/// What a simulated reader sends, frame by frame, and what each frame claims: the pure half
/// of ``ReaderSimulator``, so tests know exactly which reads went out intact.
public struct ReaderScript: Sendable {
    /// The reader being imitated.
    public enum Mode: String, Sendable, CaseIterable {
        /// ThingMagic Mercury: streamed 0x22 tag reports once started with 0x2F.
        case mercury
        /// Chafon UHFReader18 answer mode: EPCs only in answers to the 0x01 inventory request.
        case chafonAnswer = "chafon-answer"
        /// Chafon UHFReader288/UR real-time output (0xEE), streamed unasked.
        case chafonRealTime = "chafon"
        /// 125 kHz EM4100 (RDM6300 class): STX, 10 hex digits, XOR, ETX.
        case em4100 = "stx-hex-xor"
        /// An ASCII reader: `EPC,antenna,rssi` lines.
        case lines
    }

    /// One read as the simulated reader reports it.
    public struct Read: Sendable, Hashable {
        public var epc: [UInt8]
        public var antenna: Int?
        public var rssiDBm: Int?
        public var rssiRaw: Int?
        public var readCount: Int
    }

    public let mode: Mode
    public let population: TagPopulation
    public let address: UInt8
    private var random: SplitMix64

    public init(mode: Mode, population: TagPopulation, seed: UInt64, address: UInt8 = 0x00) {
        self.mode = mode
        self.population = population
        self.address = address
        random = SplitMix64(seed: seed ^ 0x5EED)
    }

    /// Whether the reader sends tags without being asked for each one.
    public var streams: Bool { mode != .chafonAnswer }

    /// Whether streaming waits for the host's start command.
    public var waitsForStart: Bool { mode == .mercury }

    public mutating func nextRead() -> Read {
        let epc = population.tags[Int.random(in: 0..<population.tags.count, using: &random)]
        switch mode {
        case .mercury:
            return Read(
                epc: epc, antenna: Int.random(in: 1...4, using: &random),
                rssiDBm: Int.random(in: -80 ... -30, using: &random), rssiRaw: nil,
                readCount: Int.random(in: 1...5, using: &random))
        case .chafonRealTime:
            return Read(
                epc: epc, antenna: Int.random(in: 1...4, using: &random), rssiDBm: nil,
                rssiRaw: Int.random(in: 0x30...0x7F, using: &random), readCount: 1)
        case .chafonAnswer, .em4100:
            return Read(epc: epc, antenna: nil, rssiDBm: nil, rssiRaw: nil, readCount: 1)
        case .lines:
            return Read(
                epc: epc, antenna: Int.random(in: 1...4, using: &random), rssiDBm: nil,
                rssiRaw: Int.random(in: -80 ... -30, using: &random), readCount: 1)
        }
    }

    /// Up to `limit` reads of distinct tags, as one inventory answer carries them.
    public mutating func nextInventory(limit: Int) -> [Read] {
        var reads: [Read] = []
        var seen: Set<[UInt8]> = []
        for _ in 0..<Int.random(in: 1...max(1, limit), using: &random) {
            let read = nextRead()
            if seen.insert(read.epc).inserted { reads.append(read) }
        }
        return reads
    }

    /// The frame carrying `reads` (several only for an answer-mode inventory).
    public func frame(_ reads: [Read]) -> [UInt8] {
        switch mode {
        case .mercury:
            let read = reads[0]
            return MercuryFrame.tagReport(
                TagRead(
                    epc: read.epc, antenna: read.antenna, rssiDBm: read.rssiDBm, rssiRaw: nil,
                    readCount: read.readCount, frame: []))
        case .chafonRealTime:
            let read = reads[0]
            return ChafonFrame.realTimeTag(
                address: address, antenna: read.antenna ?? 1, epc: read.epc, rssi: UInt8(read.rssiRaw ?? 0))
        case .chafonAnswer:
            return ChafonFrame.inventoryAnswer(address: address, epcs: reads.map(\.epc))
        case .em4100:
            return EM4100Frame.frame(id: reads[0].epc)
        case .lines:
            let read = reads[0]
            return Array("\(Hex.encode(read.epc).uppercased()),\(read.antenna ?? 1),\(read.rssiRaw ?? 0)\r\n".utf8)
        }
    }

    /// Flips one random bit of each byte with probability `probability`; says whether any
    /// byte was touched.
    public mutating func corrupt(_ bytes: inout [UInt8], probability: Double) -> Bool {
        guard probability > 0 else { return false }
        var touched = false
        for index in bytes.indices where Double.random(in: 0..<1, using: &random) < probability {
            bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
            touched = true
        }
        return touched
    }

    /// 1–8 random bytes, as a noisy line or a reader's debug output produces between frames.
    public mutating func noise() -> [UInt8] {
        (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    public mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    /// Cut points for writing `count` bytes in several pieces.
    public mutating func splits(of count: Int) -> [Int] {
        guard count > 1 else { return [count] }
        var pieces: [Int] = []
        var left = count
        while left > 0 {
            let piece = Int.random(in: 1...left, using: &random)
            pieces.append(piece)
            left -= piece
        }
        return pieces
    }
}
