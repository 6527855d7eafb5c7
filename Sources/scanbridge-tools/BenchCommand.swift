import ArgumentParser
import Foundation
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeTools

/// `scanbridge bench`: how this box copes (docs/performance.md); `bench receiver` sizes the
/// reference receiver (docs/wire-format.md, "Receiver figures").
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: ToolCommand.bench.abstract,
        subcommands: [AgentBenchCommand.self, ReceiverBenchCommand.self],
        defaultSubcommand: AgentBenchCommand.self)
}

struct AgentBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract:
            "Measure the real agent process: start-up, idle cost, scan→durable and scan→2xx latency, ingest, drain.",
        discussion: """
            Starts a loopback receiver and `scanbridge run` as a child process with simulated serial scanners on \
            pseudo-terminals. Latencies are measured from the moment a scan's bytes were written.
            """)

    @Option(help: "Simulated serial scanners.")
    var devices = 16

    @Option(help: "Scans per second across all devices in the latency phase.")
    var rate = 1000

    @Option(help: "Length of the latency phase in seconds.")
    var seconds = 10

    @Option(help: "Seconds the upstream is away while devices write unpaced.")
    var outage = 5

    @Option(help: "Instead of a timed outage, write until this many events wait (e.g. 1000000).")
    var backlog: Int?

    @Option(
        help:
            "Keep the bench's files here (a new or empty directory); without it they go to a temporary directory removed after a successful run."
    )
    var dir: String?

    @Option(help: "The agent executable to measure (default: the `scanbridge` installed beside these tools).")
    var agent: String?

    @Option(
        help:
            "Carry the agent's uploads through a link of this many Mbit/s (a loopback relay), to see the drain a slow uplink allows."
    )
    var linkMbps: Double?

    @Flag(help: "Print one JSON object instead of progress lines.")
    var json = false

    func validate() throws {
        if let linkMbps, !(0.01...10_000).contains(linkMbps) {
            throw ValidationError("--link-mbps must be 0.01…10000")
        }
        guard (1...256).contains(devices) else { throw ValidationError("--devices must be 1…256") }
        guard (1...1_000_000).contains(rate) else { throw ValidationError("--rate must be 1…1000000") }
        guard seconds >= 1, outage >= 1 else { throw ValidationError("--seconds and --outage must be at least 1") }
        if let backlog, backlog < 1 { throw ValidationError("--backlog must be positive") }
    }

    func run() async throws {
        // The lean agent, `scanbridge run`, as operators run it; not this tools executable.
        let executable = agent ?? SiblingExecutable.path("scanbridge")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            Failure(
                "\(executable): no agent executable there — build it with `swift build --product scanbridge`, or give --agent PATH"
            ).exit()
        }
        var options = AgentBench.Options(executable: executable)
        options.devices = devices
        options.rate = rate
        options.seconds = seconds
        options.outageSeconds = outage
        options.backlog = backlog
        options.directory = dir
        options.linkMbps = linkMbps
        await runBench(quiet: json) { progress in try await AgentBench(options: options).run(progress: progress).json()
        }
    }
}

/// Runs a bench with its progress lines on standard error (none with --json) and prints its
/// JSON report on standard output; a failure exits with its message.
func runBench(quiet: Bool, _ bench: (@escaping @Sendable (String) -> Void) async throws -> String) async {
    let report: String
    do {
        report = try await bench { line in
            if !quiet { FileHandle.standardError.write(Data(("bench: " + line + "\n").utf8)) }
        }
    } catch {
        Failure(error).exit()
    }
    FileHandle.standardOutput.write(Data((report + "\n").utf8))
}

struct ReceiverBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receiver",
        abstract: "Measure one receiver process: events and batches stored per second, p99 verify + commit.",
        discussion: """
            Simulated agents (each its own key, enrolled in the store, and its own connection) post their \
            chains concurrently, one batch at a time each, to a receiver on loopback. Without --store the \
            receiver uses a new SQLite file; with a postgres:// URL, that database (agents get fresh ids).
            """)

    @Option(help: "Simulated agents posting at once.")
    var agents = 50

    @Option(help: "Batches each agent sends.")
    var batches = 40

    @Option(help: "Events in each batch.")
    var events = 100

    @Option(help: "Receiver store: a SQLite file or a postgres:// URL (default: a new SQLite file).")
    var store: String?

    @Flag(help: "Print one JSON object instead of progress lines.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(agents) else { throw ValidationError("--agents must be 1…1000") }
        guard (1...100_000).contains(batches) else { throw ValidationError("--batches must be 1…100000") }
        guard (1...500).contains(events) else { throw ValidationError("--events must be 1…500") }
    }

    func run() async throws {
        var options = ReceiverBench.Options()
        options.agents = agents
        options.batchesPerAgent = batches
        options.eventsPerBatch = events
        options.store = store
        await runBench(quiet: json) { progress in
            try await ReceiverBench(options: options).run(progress: progress).json()
        }
    }
}
