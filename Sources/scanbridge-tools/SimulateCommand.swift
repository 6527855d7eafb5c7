import ArgumentParser
import Foundation
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeCore
import ScanBridgeTools

/// `scanbridge simulate rfid|barcode`: a device on a pseudo-terminal, for trying a config,
/// a profile or another agent without hardware.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: ToolCommand.simulate.abstract,
        subcommands: [RFID.self, Barcode.self])

    struct RFID: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rfid",
            abstract: "A reader that answers its protocol's commands and emits tag reads.",
            discussion: """
                Protocols: mercury (ThingMagic; streams after the host's 0x2F start), chafon (288/UR real-time \
                0xEE output), chafon-answer (UHFReader18: EPCs only in answers to 0x01 inventory polls), \
                stx-hex-xor (EM4100), lines (EPC,antenna,rssi per line). Point the agent's devices[].path at \
                the printed path with the matching framing.
                """)

        @Option(name: .customLong("protocol"), help: "mercury, chafon, chafon-answer, stx-hex-xor or lines.")
        var readerProtocol: String

        @Option(help: "Distinct tags in the field.")
        var tags = 20

        @Option(help: "Reads to send in all (0: until interrupted).")
        var reads = 0

        @Option(help: "Reads per second (0: as fast as the line takes).")
        var rate: Double = 10

        @Option(help: "Seed for tags and timing, so a run can be repeated.")
        var seed: UInt64 = 1

        @Option(help: "EPCs to use, one hex EPC per line (default: SGTIN-96 from the seed).")
        var epcFile: String?

        @Option(help: "Probability per byte of a flipped bit (0…1).")
        var corrupt: Double = 0

        @Flag(help: "Write frames in random pieces.")
        var split = false

        @Flag(help: "Insert garbage between frames.")
        var noise = false

        @Option(
            help: "Write the reads sent as JSON lines ({epc_hex, antenna, rssi_dbm, rssi_raw, reads, intact}) here.")
        var ledger: String?

        func validate() throws {
            guard ReaderScript.Mode(rawValue: readerProtocol) != nil else {
                throw ValidationError(
                    "--protocol must be one of \(ReaderScript.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard (0...1).contains(corrupt) else { throw ValidationError("--corrupt is a probability, 0…1") }
            guard tags >= 1, reads >= 0, rate >= 0 else { throw ValidationError("--tags ≥ 1, --reads ≥ 0, --rate ≥ 0") }
        }

        func run() throws {
            let mode = ReaderScript.Mode(rawValue: readerProtocol)!
            var population =
                mode == .em4100
                ? TagPopulation.em4100(count: tags, seed: seed) : TagPopulation.sgtin96(count: tags, seed: seed)
            if let epcFile {
                guard let text = try? String(contentsOfFile: epcFile, encoding: .utf8) else {
                    Failure("\(epcFile): cannot read the EPC file").exit()
                }
                do { population = try TagPopulation.parse(hexLines: text) } catch {
                    Failure("\(epcFile): \(error)").exit()
                }
                if mode == .em4100, population.tags.contains(where: { $0.count != 5 }) {
                    Failure("\(epcFile): EM4100 ids are 5 bytes (10 hex digits)").exit()
                }
            }
            var options = ReaderSimulator.Options(mode: mode, population: population)
            options.seed = seed
            options.reads = reads
            options.rate = rate
            options.corruptProbability = corrupt
            options.split = split
            options.noise = noise
            let terminal: PseudoTerminal
            do { terminal = try PseudoTerminal() } catch { Failure(error).exit() }
            let simulator = ReaderSimulator(terminal: terminal, options: options)
            say("\(mode.rawValue) reader on \(terminal.devicePath)")
            SimulatorSignals.install()
            let thread = Thread { simulator.run() }
            thread.start()
            while !simulator.isFinished, !SimulatorSignals.interrupted { usleep(50_000) }
            // Finished: give the agent a moment to read the last bytes before the pty closes.
            if simulator.isFinished { usleep(500_000) }
            simulator.stop()
            let sent = simulator.ledger
            if let path = ledger {
                write(sent, to: path)
                say("ledger: \(path)")
            }
            say(
                "sent \(sent.reads.count) reads (\(sent.intactReads.count) intact, \(sent.framesSpoiled) frames spoiled, \(sent.noiseRuns) noise runs)"
            )
        }

        private func write(_ ledger: ReaderSimulator.Ledger, to path: String) {
            var text = ""
            for (read, intact) in ledger.reads {
                var writer = JSONWriter()
                writer.beginObject()
                writer.field("epc_hex", Hex.encode(read.epc).uppercased())
                writer.field("antenna", read.antenna.map { Int64($0) })
                writer.field("rssi_dbm", read.rssiDBm.map { Int64($0) })
                writer.field("rssi_raw", read.rssiRaw.map { Int64($0) })
                writer.field("reads", Int64(read.readCount))
                writer.field("intact", intact)
                writer.endObject()
                text += String(decoding: writer.bytes, as: UTF8.self) + "\n"
            }
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                Failure("\(path): cannot write the ledger: \(error.localizedDescription)").exit()
            }
        }
    }

    struct Barcode: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "barcode",
            abstract: "A serial GS1-128 scanner: AIM-prefixed scans, one per CR LF line.")

        @Option(help: "Scans to send (0: until interrupted).")
        var count = 0

        @Option(help: "Scans per second.")
        var rate: Double = 2

        @Option(help: "Seed, so a run can be repeated.")
        var seed: UInt64 = 1

        func validate() throws {
            guard rate > 0, count >= 0 else { throw ValidationError("--rate > 0 and --count ≥ 0") }
        }

        func run() throws {
            let terminal: PseudoTerminal
            do { terminal = try PseudoTerminal() } catch { Failure(error).exit() }
            say("barcode scanner on \(terminal.devicePath)")
            SimulatorSignals.install()
            var generator = BarcodeSimulator(seed: seed)
            var sent = 0
            while count == 0 || sent < count, !SimulatorSignals.interrupted {
                let scan = generator.nextScan()
                do { try terminal.write(Array((scan + "\r\n").utf8)) } catch { Failure(error).exit() }
                sent += 1
                usleep(useconds_t(1_000_000 / rate))
            }
            usleep(500_000)
            say("sent \(sent) scans")
        }
    }
}

/// SIGINT/SIGTERM end a simulation with its summary instead of killing it mid-frame.
enum SimulatorSignals {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static var interrupted: Bool { flag != 0 }

    static func install() {
        signal(SIGINT) { _ in SimulatorSignals.flag = 1 }
        signal(SIGTERM) { _ in SimulatorSignals.flag = 1 }
    }
}

/// Prints a line at once: whoever runs the simulator waits for the device path.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
