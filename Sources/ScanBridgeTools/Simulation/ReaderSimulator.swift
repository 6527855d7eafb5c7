import ScanBridgeAgent
import ScanBridgeDevices
import ScanBridgePayloads
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A serial RFID reader on a pseudo-terminal: answers the host's commands as the real reader
/// does, emits tag reads at a rate, and can spoil its own line (bit flips, split writes,
/// garbage between frames), keeping a ledger of which reads went out intact.
public final class ReaderSimulator: @unchecked Sendable {
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

    public let terminal: PseudoTerminal
    public let options: Options
    private let state = Mutex(State())

    private struct State {
        var ledger = Ledger()
        var streaming = false
        var stopping = false
        var finished = false
        var previousTouched = false
        var paused = false
    }

    public init(terminal: PseudoTerminal, options: Options) {
        self.terminal = terminal
        self.options = options
        state.withLock {
            $0.streaming = !ReaderScript(mode: options.mode, population: options.population, seed: 0).waitsForStart
        }
    }

    public var ledger: Ledger { state.withLock { $0.ledger } }
    public var isFinished: Bool { state.withLock { $0.finished } }
    public var isStreaming: Bool { state.withLock { $0.streaming } }

    public func stop() {
        state.withLock { $0.stopping = true }
    }

    /// Stops emitting tags but keeps answering commands (the host's stop at shutdown).
    public func pause() {
        state.withLock { $0.paused = true }
    }

    /// Runs on the calling thread until every read is sent (then keeps answering commands
    /// until ``stop()``), or until stopped.
    public func run() {
        var script = ReaderScript(
            mode: options.mode, population: options.population, seed: options.seed, address: options.address)
        var mercury = MercuryCommandDecoder()
        var chafon = ChafonCommandDecoder()
        var sent = 0
        let started = MonotonicClock.nanoseconds()
        var input = [UInt8](repeating: 0, count: 1024)
        while !state.withLock({ $0.stopping }) {
            // Commands first: a reader answers its host before it streams on.
            var descriptor = pollfd(fd: terminal.controller, events: Int16(POLLIN), revents: 0)
            let streaming = state.withLock { $0.streaming && !$0.paused }
            let busy = streaming && (options.reads == 0 || sent < options.reads)
            let waitMilliseconds: Int32 = busy ? 0 : 20
            if poll(&descriptor, 1, waitMilliseconds) > 0, descriptor.revents & Int16(POLLIN) != 0 {
                let count = input.withUnsafeMutableBytes { Glibc.read(terminal.controller, $0.baseAddress, $0.count) }
                if count > 0 {
                    let bytes = Array(input[0..<count])
                    answer(bytes, script: &script, mercury: &mercury, chafon: &chafon, sent: &sent)
                }
            }
            guard busy, script.streams else {
                if options.reads > 0, sent >= options.reads { state.withLock { $0.finished = true } }
                continue
            }
            if options.rate > 0 {
                let due = Double(sent) / options.rate
                let elapsed = Self.seconds(since: started)
                if due > elapsed { usleep(useconds_t(min(20_000, (due - elapsed) * 1_000_000))) }
                if Double(sent) / options.rate > Self.seconds(since: started) { continue }
            }
            let read = script.nextRead()
            emit([read], script: &script)
            sent += 1
        }
    }

    /// Writes one frame (with the configured faults) and records what it carried.
    private func emit(_ reads: [ReaderScript.Read], script: inout ReaderScript) {
        if options.noise, script.chance(0.05) {
            var garbage = script.noise()
            if options.mode == .lines { garbage = Array("#".utf8) + garbage + Array("\r\n".utf8) }
            write(garbage)
            state.withLock { $0.ledger.noiseRuns += 1 }
        }
        var frame = script.frame(reads)
        let touched = script.corrupt(&frame, probability: options.corruptProbability)
        state.withLock { state in
            // A line whose predecessor lost its terminator starts with that stray byte.
            let spoiled = touched || (options.mode == .lines && state.previousTouched)
            for read in reads { state.ledger.reads.append((read, !spoiled)) }
            if touched { state.ledger.framesSpoiled += 1 }
            state.previousTouched = touched
        }
        if options.split {
            var offset = 0
            for piece in script.splits(of: frame.count) {
                write(Array(frame[offset..<offset + piece]))
                offset += piece
            }
        } else {
            write(frame)
        }
    }

    private func write(_ bytes: [UInt8]) {
        do { try terminal.write(bytes) } catch { state.withLock { $0.stopping = true } }
    }

    private func answer(
        _ bytes: [UInt8], script: inout ReaderScript, mercury: inout MercuryCommandDecoder,
        chafon: inout ChafonCommandDecoder, sent: inout Int
    ) {
        switch options.mode {
        case .mercury:
            for command in mercury.feed(bytes) {
                state.withLock { $0.ledger.commands.append(command.opcode) }
                var data: [UInt8] = []
                if command.opcode == 0x2F, command.data.count >= 3 {
                    let starting = command.data[2] == 0x01
                    state.withLock { $0.streaming = starting }
                    data = Array(command.data.prefix(3))
                } else if command.opcode == 0x03 {
                    data = Self.mercuryVersion
                }
                write(MercuryFrame.response(opcode: command.opcode, status: 0, data: data))
            }
        case .chafonAnswer, .chafonRealTime:
            for command in chafon.feed(bytes) {
                state.withLock { $0.ledger.commands.append(command.command) }
                if command.command == 0x01, options.mode == .chafonAnswer {
                    let remaining = options.reads == 0 ? 8 : min(8, options.reads - sent)
                    guard remaining > 0 else {
                        write(ChafonFrame.inventoryAnswer(address: options.address, epcs: []))
                        continue
                    }
                    let reads = script.nextInventory(limit: remaining)
                    emit(reads, script: &script)
                    sent += reads.count
                } else {
                    write(ChafonFrame.response(address: options.address, command: command.command, status: 0, data: []))
                }
            }
        case .em4100, .lines:
            break
        }
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(MonotonicClock.nanoseconds() - start) / 1_000_000_000
    }

    /// Get-version data as an M6e answers it (bootloader, hardware, firmware dates/versions).
    static let mercuryVersion: [UInt8] = [
        0x12, 0x08, 0x14, 0x00, 0x18, 0x00, 0x00, 0x00, 0x20, 0x17, 0x03, 0x14, 0x01, 0x03, 0x01, 0x05, 0x00, 0x00,
        0x00, 0x10,
    ]
}
