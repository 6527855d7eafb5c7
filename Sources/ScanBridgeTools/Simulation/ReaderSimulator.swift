import ScanBridgeAgent
import ScanBridgeDevices
import ScanBridgePayloads
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A serial RFID reader on a pseudo-terminal: a ``ReaderSimulation`` whose answers and reads
/// are written to the terminal, at a rate if asked.
public final class ReaderSimulator: @unchecked Sendable {
    public typealias Options = ReaderSimulation.Options
    public typealias Ledger = ReaderSimulation.Ledger

    public let terminal: PseudoTerminal
    public let options: Options
    private let state: Mutex<State>

    private struct State {
        var simulation: ReaderSimulation
        var stopping = false
    }

    public init(terminal: PseudoTerminal, options: Options) {
        self.terminal = terminal
        self.options = options
        state = Mutex(State(simulation: ReaderSimulation(options: options)))
    }

    public var ledger: Ledger { state.withLock { $0.simulation.ledger } }
    public var isFinished: Bool { state.withLock { $0.simulation.isFinished } }
    public var isStreaming: Bool { state.withLock { $0.simulation.isStreaming } }

    public func stop() {
        state.withLock { $0.stopping = true }
    }

    /// Stops emitting tags but keeps answering commands (the host's stop at shutdown). When it
    /// returns the ledger is final: a read the run loop had decided on before is not taken.
    public func pause() {
        state.withLock { $0.simulation.pause() }
    }

    /// Runs on the calling thread until every read is sent (then keeps answering commands
    /// until ``stop()``), or until stopped.
    public func run() {
        let started = MonotonicClock.nanoseconds()
        var input = [UInt8](repeating: 0, count: 1024)
        while !state.withLock({ $0.stopping }) {
            // Commands first: a reader answers its host before it streams on.
            var descriptor = pollfd(fd: terminal.controller, events: Int16(POLLIN), revents: 0)
            let busy = state.withLock { $0.simulation.hasReadToSend }
            if poll(&descriptor, 1, busy ? 0 : 20) > 0, descriptor.revents & Int16(POLLIN) != 0 {
                let count = input.withUnsafeMutableBytes { Glibc.read(terminal.controller, $0.baseAddress, $0.count) }
                if count > 0 {
                    let bytes = Array(input[0..<count])
                    write(state.withLock { $0.simulation.hear(bytes) })
                }
            }
            guard busy else { continue }
            if options.rate > 0 {
                let sent = state.withLock { $0.simulation.sent }
                let due = Double(sent) / options.rate
                let elapsed = Self.seconds(since: started)
                if due > elapsed { usleep(useconds_t(min(20_000, (due - elapsed) * 1_000_000))) }
                if Double(sent) / options.rate > Self.seconds(since: started) { continue }
            }
            write(state.withLock { $0.simulation.nextRead() })
        }
    }

    private func write(_ writes: [[UInt8]]) {
        for bytes in writes {
            do { try terminal.write(bytes) } catch {
                state.withLock { $0.stopping = true }
                return
            }
        }
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(MonotonicClock.nanoseconds() - start) / 1_000_000_000
    }
}
