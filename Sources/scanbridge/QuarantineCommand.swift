import ArgumentParser
import FoundationEssentials
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeCore
import ScanBridgeStore

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Payloads held back from upstream: list, inspect, replay under fixed profiles, discard.",
        subcommands: [List.self, Show.self, Replay.self, Discard.self])

    static func open(_ options: ConfigOption) -> (AgentConfiguration, StateDatabase) {
        let configuration = options.load()
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
            Failure("\(configuration.databasePath): no state database — is --config the agent's config?").exit()
        }
        do { return (configuration, try StateDatabase(path: configuration.databasePath)) } catch {
            Failure(error.description).exit()
        }
    }

    static func json(_ entry: QuarantineStore.Entry, withRaw: Bool) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("id", entry.id)
        writer.field("device", entry.deviceID)
        writer.field("profile", entry.profile)
        writer.field("firmware", entry.firmware)
        writer.field("received_at", entry.receivedAt.iso8601)
        writer.field("reason", entry.reasonCode)
        writer.key("errors")
        writer.raw(Array(entry.errorsJSON.utf8))
        writer.field("state", entry.state)
        writer.field("resolution", entry.resolution)
        if withRaw { writer.field("raw", Base64.encode(entry.raw)) }
        writer.endObject()
        return writer.bytes
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantine entries, oldest first.")
        @OptionGroup var options: ConfigOption
        @Flag(name: .long, help: "Print a JSON array.") var json = false
        @Option(name: .long, help: "Only entries in this state: held, released or discarded.") var state: String?

        func run() throws {
            let (_, database) = QuarantineCommand.open(options)
            let entries: [QuarantineStore.Entry]
            do { entries = try QuarantineStore(database: database).entries(state: state) } catch {
                Failure(error.description).exit()
            }
            if json {
                var writer = JSONWriter()
                writer.beginArray()
                for entry in entries { writer.raw(QuarantineCommand.json(entry, withRaw: false)) }
                writer.endArray()
                print(String(decoding: writer.bytes, as: UTF8.self))
                return
            }
            if entries.isEmpty { print("quarantine is empty") }
            for entry in entries {
                print(
                    "\(entry.id)  \(entry.state)  \(entry.receivedAt.iso8601)  \(entry.deviceID)  \(entry.profile ?? "-")  \(entry.reasonCode): \(entry.reason)"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One entry, with its raw bytes.")
        @OptionGroup var options: ConfigOption
        @Flag(name: .long, help: "Print JSON (raw bytes as base64).") var json = false
        @Argument(help: "Quarantine id.") var id: String

        func run() throws {
            let (_, database) = QuarantineCommand.open(options)
            let found: QuarantineStore.Entry?
            do { found = try QuarantineStore(database: database).entry(id) } catch { Failure(error.description).exit() }
            guard let entry = found else { Failure("no quarantine entry \(id)").exit() }
            if json {
                print(String(decoding: QuarantineCommand.json(entry, withRaw: true), as: UTF8.self))
                return
            }
            print("id          \(entry.id)\ndevice      \(entry.deviceID) (firmware \(entry.firmware ?? "-"))")
            print(
                "profile     \(entry.profile ?? "-")\nreceived    \(entry.receivedAt.iso8601)\nstate       \(entry.state)"
            )
            print("reason      \(entry.reasonCode): \(entry.reason)\nerrors      \(entry.errorsJSON)")
            print("raw (hex)   \(Hex.encode(entry.raw))")
            print("raw (text)  \(String(decoding: entry.raw, as: UTF8.self).debugDescription)")
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-run held payloads through the current profiles; release what now passes.")
        @OptionGroup var options: ConfigOption
        @Flag(name: .long, help: "Print {\"released\": N, \"still_held\": M}.") var json = false
        @Option(name: .long, help: "Only this device id.") var device: String?
        @Option(name: .long, help: "Only payloads received at or after this RFC 3339 UTC time.") var since: String?

        func run() async throws {
            let (configuration, database) = QuarantineCommand.open(options)
            var after: Timestamp?
            if let since {
                guard let time = Timestamp(iso8601: since) else {
                    throw ValidationError("--since must be an RFC 3339 UTC time such as 2026-11-24T00:00:00Z")
                }
                after = time
            }
            let outcome: QuarantineReplay.Outcome
            do {
                let catalog = try ProfileCatalog.load(directories: configuration.profileDirectories)
                outcome = try await QuarantineReplay(configuration: configuration, catalog: catalog, database: database)
                    .run(deviceID: device, since: after)
            } catch {
                Failure(String(describing: error)).exit()
            }
            if json {
                print(#"{"released":\#(outcome.released),"still_held":\#(outcome.stillHeld)}"#)
            } else {
                print("released \(outcome.released), still held \(outcome.stillHeld)")
            }
        }
    }

    struct Discard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give up on a held payload; the reason and the raw bytes are kept.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Quarantine id.") var id: String
        @Option(name: .long, help: "Why (required; kept with the entry).") var reason: String

        func validate() throws {
            guard !reason.trimmingWhitespace(newlines: false).isEmpty else {
                throw ValidationError("--reason must not be empty")
            }
        }

        func run() throws {
            let (_, database) = QuarantineCommand.open(options)
            do {
                guard try QuarantineStore(database: database).discard(id, reason: reason) else {
                    Failure("\(id) is not a held quarantine entry").exit()
                }
            } catch {
                Failure(error.description).exit()
            }
            print("discarded \(id)")
        }
    }
}
