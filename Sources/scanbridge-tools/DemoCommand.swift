import ArgumentParser
import Foundation
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeTools

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: ToolCommand.demo.abstract)

    @Option(name: .long, help: "How long the simulated scanner scans.")
    var seconds = 20

    @Option(name: .long, help: "Scans per second.")
    var rate = 25

    @Option(name: .long, help: "Seconds the receiver is away (default: a quarter of the run, at least 2).")
    var outage: Int?

    @Option(name: .long, help: "Keep the demo's state here instead of a new temporary directory.")
    var dir: String?

    func validate() throws {
        guard seconds >= 3 else { throw ValidationError("--seconds must be at least 3") }
        guard (1...5000).contains(rate) else { throw ValidationError("--rate must be 1…5000") }
    }

    func run() async throws {
        var options = DemoRun.Options()
        options.seconds = seconds
        options.scansPerSecond = rate
        options.outageSeconds = outage
        options.directory = dir
        options.interactive = isatty(STDOUT_FILENO) == 1
        let summary: DemoRun.Summary
        do {
            summary = try await DemoRun(options: options) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }.run()
        } catch {
            Failure(error).exit()
        }
        if !summary.succeeded { throw ExitCode.failure }
    }
}
