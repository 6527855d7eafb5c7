import ScanBridgePayloads

/// A simulated serial RFID reader without its line: how it answers the host's commands and
/// what it writes for its next read, with the faults asked for (bit flips, split writes,
/// garbage between frames), and the ledger of which reads went out intact. The pty simulator
/// (``ReaderSimulator``) writes what this says; a test can hand the same writes straight to a
/// reader machine and check the same ledger without a terminal.
public struct ReaderSimulation: Sendable {
    public struct Options: Sendable {
        public var mode: ReaderScript.Mode
        public var population: TagPopulation
        public var seed: UInt64 = 1
        /// Reads to send in all; 0: until stopped.
        public var reads = 1000
        /// Reads per second; 0: as fast as the line takes them.
        public var rate: Double = 0
        /// Probability per byte of a flipped bit.
        public var corruptProbability = 0.0
        /// Frames written in random pieces.
        public var split = false
        /// Garbage between frames.
        public var noise = false
        /// Chafon reader address.
        public var address: UInt8 = 0x00

        public init(mode: ReaderScript.Mode, population: TagPopulation) {
            self.mode = mode
            self.population = population
        }
    }

    /// What went out: every read in order, and whether its frame reached the line untouched.
    public struct Ledger: Sendable {
        public var reads: [(read: ReaderScript.Read, intact: Bool)] = []
        public var commands: [UInt8] = []
        public var framesSpoiled = 0
        public var noiseRuns = 0

        public var intactReads: [ReaderScript.Read] { reads.filter(\.intact).map(\.read) }
    }

    public let options: Options
    public private(set) var ledger = Ledger()
    /// Streaming tag reads (a Mercury reader only after the host starts it).
    public private(set) var isStreaming: Bool
    /// Reads written so far.
    public private(set) var sent = 0
    /// Tag reads stopped for good while commands are still answered (the host's stop at
    /// shutdown); once set, no read reaches the ledger, so a caller that paused can count.
    public private(set) var isPaused = false
    private var script: ReaderScript
    private var mercury = MercuryCommandDecoder()
    private var chafon = ChafonCommandDecoder()
    private var previousTouched = false

    public init(options: Options) {
        self.options = options
        script = ReaderScript(
            mode: options.mode, population: options.population, seed: options.seed, address: options.address)
        isStreaming = !script.waitsForStart
    }

    /// Whether every read asked for has been written.
    public var isFinished: Bool { options.reads > 0 && sent >= options.reads }

    /// Whether a read is due now (streaming, not finished, a protocol that streams).
    public var hasReadToSend: Bool { isStreaming && !isFinished && !isPaused && script.streams }

    public mutating func pause() {
        isPaused = true
    }

    /// The writes of the next read: garbage first sometimes, then its frame (in pieces when split);
    /// none once paused.
    public mutating func nextRead() -> [[UInt8]] {
        guard !isPaused else { return [] }
        let read = script.nextRead()
        sent += 1
        return emit([read])
    }

    /// The host wrote `bytes`: the writes the reader answers with.
    public mutating func hear(_ bytes: [UInt8]) -> [[UInt8]] {
        var writes: [[UInt8]] = []
        switch options.mode {
        case .mercury:
            for command in mercury.feed(bytes) {
                ledger.commands.append(command.opcode)
                var data: [UInt8] = []
                if command.opcode == 0x2F, command.data.count >= 3 {
                    isStreaming = command.data[2] == 0x01
                    data = Array(command.data.prefix(3))
                } else if command.opcode == 0x03 {
                    data = Self.mercuryVersion
                }
                writes.append(MercuryFrame.response(opcode: command.opcode, status: 0, data: data))
            }
        case .chafonAnswer, .chafonRealTime:
            for command in chafon.feed(bytes) {
                ledger.commands.append(command.command)
                if command.command == 0x01, options.mode == .chafonAnswer {
                    let remaining = options.reads == 0 ? 8 : min(8, options.reads - sent)
                    guard remaining > 0 else {
                        writes.append(ChafonFrame.inventoryAnswer(address: options.address, epcs: []))
                        continue
                    }
                    let reads = script.nextInventory(limit: remaining)
                    writes += emit(reads)
                    sent += reads.count
                } else {
                    writes.append(
                        ChafonFrame.response(address: options.address, command: command.command, status: 0, data: []))
                }
            }
        case .em4100, .lines:
            break
        }
        return writes
    }

    /// One frame carrying `reads`, with the configured faults, recorded in the ledger.
    private mutating func emit(_ reads: [ReaderScript.Read]) -> [[UInt8]] {
        var writes: [[UInt8]] = []
        if options.noise, script.chance(0.05) {
            var garbage = script.noise()
            if options.mode == .lines { garbage = Array("#".utf8) + garbage + Array("\r\n".utf8) }
            writes.append(garbage)
            ledger.noiseRuns += 1
        }
        var frame = script.frame(reads)
        let touched = script.corrupt(&frame, probability: options.corruptProbability)
        // A line whose predecessor lost its terminator starts with that stray byte.
        let spoiled = touched || (options.mode == .lines && previousTouched)
        for read in reads { ledger.reads.append((read, !spoiled)) }
        if touched { ledger.framesSpoiled += 1 }
        previousTouched = touched
        if options.split {
            var offset = 0
            for piece in script.splits(of: frame.count) {
                writes.append(Array(frame[offset..<offset + piece]))
                offset += piece
            }
        } else {
            writes.append(frame)
        }
        return writes
    }

    /// Get-version data as an M6e answers it (bootloader, hardware, firmware dates/versions).
    static let mercuryVersion: [UInt8] = [
        0x12, 0x08, 0x14, 0x00, 0x18, 0x00, 0x00, 0x00, 0x20, 0x17, 0x03, 0x14, 0x01, 0x03, 0x01, 0x05, 0x00, 0x00,
        0x00, 0x10,
    ]
}
