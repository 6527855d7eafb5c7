import Foundation
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeTools
import Testing

@testable import ScanBridgeTestSupport

/// 100,000 reads per protocol from the simulated reader straight into the agent's reader
/// machine, on a scripted clock: the same writes, faults and ledger as on a terminal
/// (``ReaderEndToEndTests``), without one.
@Suite("Serial RFID readers in memory (100,000 reads per protocol)", .serialized, .temporaryDirectory)
struct ReaderConformanceTests {
    static let reads = ProcessInfo.processInfo.environment["SCANBRIDGE_RFID_MEMORY_READS"].flatMap(Int.init) ?? 100_000

    /// Connects a simulation and a machine: the host's commands go to the reader, the reader's
    /// writes to the machine, one millisecond apart; a due deadline fires the timer.
    struct Line {
        var simulation: ReaderSimulation
        var machine: ReaderMachine
        var now: UInt64 = 1_000_000_000
        var deadline: UInt64?
        var outcome: ReaderConformance.Outcome

        init(simulation: ReaderSimulation, machine: ReaderMachine) {
            self.simulation = simulation
            self.machine = machine
            outcome = .init(sent: simulation.ledger, observed: [], data: [], commands: [], rejectedBytes: 0)
        }

        var instant: ReadingInstant {
            ReadingInstant(
                monotonic: now, wall: Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000 + Int64(now / 1000)))
        }

        mutating func handle(_ input: ReadingInput) {
            let reaction = machine.handle(input)
            deadline = reaction.deadline
            outcome.rejectedBytes += reaction.counts.rejectedBytes
            for entry in reaction.entries where entry.event.type == .rfidObserved {
                let data = (try? JSONSerialization.jsonObject(with: Data(entry.event.data))) as? [String: Any] ?? [:]
                outcome.data.append(data)
                outcome.observed.append(ReaderConformance.Observed(json: data))
            }
            for command in reaction.commands { deliver(simulation.hear(command.bytes)) }
        }

        mutating func deliver(_ writes: [[UInt8]]) {
            for bytes in writes {
                now += 1_000_000
                if let due = deadline, due <= now { handle(.timer(instant)) }
                handle(.bytes(bytes, instant))
            }
        }

        /// Runs until the simulation has sent every read, then stops as the agent does.
        mutating func run() -> ReaderConformance.Outcome {
            handle(.opened(instant))
            var idle = 0
            while !simulation.isFinished, idle < 10_000 {
                if simulation.hasReadToSend {
                    deliver(simulation.nextRead())
                    idle = 0
                } else {
                    // A reader in answer mode speaks when polled: the machine's timer polls.
                    now = max(now + 1_000_000, deadline ?? 0)
                    handle(.timer(instant))
                    idle += 1
                }
            }
            _ = simulation.hear(machine.codec.farewell)
            now += 1_000_000
            handle(.ended(removed: false, instant))
            outcome.sent = simulation.ledger
            outcome.commands = simulation.ledger.commands
            return outcome
        }
    }

    func run(
        mode: ReaderScript.Mode, framing: Framing, profile id: String, reads: Int = Self.reads
    ) async throws -> ReaderConformance.Outcome {
        let profile = try #require(try BuiltInProfiles.all().first { $0.id == id })
        let codec = try #require(ReaderCodec.make(framing: framing, profile: profile, maxLineBytes: 4096))
        let builder = ScanEventBuilder(device: DeviceIdentity(id: "reader", transport: .serial), profile: profile)
        var options = ReaderSimulation.Options(
            mode: mode, population: mode == .em4100 ? .em4100(count: 500, seed: 7) : .sgtin96(count: 500, seed: 7))
        options.seed = 42
        options.reads = reads
        options.corruptProbability = 0.01
        options.split = true
        options.noise = true
        let machine = ReaderMachine(codec: codec, builder: builder, dedupWindowMilliseconds: 0)
        let simulation = ReaderSimulation(options: options)
        // Seconds of pure CPU: on a thread of its own, never on the cooperative pool the
        // agents of concurrently running tests need (two such tests would hold both of a
        // 2-core machine's pool threads).
        let outcome = await TestSupport.onThreadValue {
            var line = Line(simulation: simulation, machine: machine)
            return Finished(outcome: line.run())
        }.outcome
        #expect(outcome.sent.reads.count == reads, "the simulation sent every read")
        return outcome
    }

    /// A run's outcome handed back from its thread, which no longer touches it.
    struct Finished: @unchecked Sendable {
        let outcome: ReaderConformance.Outcome
    }

    @Test("ThingMagic Mercury: started with Gen2 and continuous reading, stopped at the end; exactly the intact reads")
    func mercury() async throws {
        let outcome = try await run(mode: .mercury, framing: .mercury, profile: "thingmagic-mercury")
        #expect(Array(outcome.commands.prefix(2)) == [0x93, 0x2F])
        #expect(outcome.commands.last == 0x2F && outcome.commands.count >= 3)
        ReaderConformance.expectExact(outcome, "mercury")
        #expect(outcome.rejectedBytes > 0)
        #expect((outcome.data.first?["tag_uri"] as? String)?.hasPrefix("urn:epc:tag:sgtin-96:1.") == true)
    }

    @Test("Chafon real-time output: exactly the intact reads, raw RSSI without dBm")
    func chafonRealTime() async throws {
        let outcome = try await run(mode: .chafonRealTime, framing: .chafon, profile: "chafon-realtime")
        ReaderConformance.expectExact(outcome, "chafon real-time")
        #expect(outcome.data.first?["rssi_dbm"] is NSNull)
    }

    @Test("Chafon answer mode: every EPC the polls get answered arrives")
    func chafonAnswer() async throws {
        let outcome = try await run(mode: .chafonAnswer, framing: .chafon, profile: "chafon-uhfreader18", reads: 20_000)
        #expect(outcome.commands.filter { $0 == 0x01 }.count > 100)
        ReaderConformance.expectExact(outcome, "chafon answer mode")
    }

    @Test("EM4100: every intact id in order; extras only from spoiled frames")
    func em4100() async throws {
        let outcome = try await run(mode: .em4100, framing: .stxHexXor, profile: "em4100-ascii")
        ReaderConformance.expectIntactSubsequence(outcome, "em4100", maxExtra: outcome.sent.framesSpoiled / 50)
        #expect((outcome.data.first?["epc_hex"] as? String)?.count == 10)
    }

    @Test("ASCII lines: every intact line in order; extras only from spoiled lines")
    func lines() async throws {
        let outcome = try await run(mode: .lines, framing: .lines, profile: "rfid-lines")
        ReaderConformance.expectIntactSubsequence(outcome, "lines", maxExtra: 2 * outcome.sent.framesSpoiled)
    }
}
