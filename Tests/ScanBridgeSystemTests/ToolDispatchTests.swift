import Foundation
import Testing

@testable import ScanBridgeTestSupport

/// The agent's binary holds no receiver, demo, bench or simulator: `scanbridge receive …` and
/// the other tool commands must still work as typed for years, handed to `scanbridge-tools`
/// beside the agent; and where the tools are not installed, the operator must learn what to
/// install rather than meet an unknown command.
@Suite("Tool commands through the agent", .serialized, .childProcesses)
struct ToolDispatchTests {
    /// `scanbridge-tools` as built beside the agent under test.
    static var tools: String {
        URL(fileURLWithPath: TestSupport.executable).deletingLastPathComponent().appendingPathComponent(
            "scanbridge-tools"
        ).path
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> AuditCommandTests.Result {
        try await TestSupport.onThreadValue {
            Result { try AuditCommandTests.scanbridge(arguments, executable: executable) }
        }.get()
    }

    @Test("scanbridge receive --help is the receiver's help, as scanbridge-tools prints it")
    func receiveHelp() async throws {
        let viaAgent = try await Self.run(TestSupport.executable, ["receive", "--help"])
        #expect(viaAgent.status == 0, "\(viaAgent.output)")
        #expect(viaAgent.output.contains("USAGE: scanbridge receive"), "\(viaAgent.output)")
        #expect(viaAgent.output.contains("consumer"), "\(viaAgent.output)")
        let direct = try await Self.run(Self.tools, ["receive", "--help"])
        #expect(viaAgent.output == direct.output)
        let helpCommand = try await Self.run(TestSupport.executable, ["help", "receive", "serve"])
        #expect(helpCommand.status == 0 && helpCommand.output.contains("--statement-timeout-ms"))
    }

    @Test("a tool command's usage error still exits 2, and its own errors keep their message")
    func exitStatus() async throws {
        let usage = try await Self.run(TestSupport.executable, ["demo", "--seconds", "1"])
        #expect(usage.status == 2, "\(usage.output)")
        #expect(usage.output.contains("--seconds must be at least 3"), "\(usage.output)")
        let missing = TestSupport.temporaryDirectory("dispatch") + "/none.sqlite"
        let verify = try await Self.run(
            TestSupport.executable, ["verify", "--trust", "/dev/null", "--store", missing])
        #expect(verify.status == 1, "\(verify.output)")
    }

    @Test("scanbridge --help lists every tool command with its one-line abstract")
    func rootHelp() async throws {
        let help = try await Self.run(TestSupport.executable, ["--help"])
        #expect(help.status == 0)
        let lines = help.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for (command, abstract) in [
            ("receive", "Reference upstream"), ("bench", "Measure the agent"), ("simulate", "Imitate a serial"),
            ("demo", "Run the whole path"), ("verify", "Prove a chain"), ("run", "Run the agent"),
        ] {
            #expect(lines.contains { $0.hasPrefix(command + " ") && $0.contains(abstract) }, "\(command)")
        }
    }

    @Test("without scanbridge-tools beside it, a tool command exits 1 saying what to install; the agent still runs")
    func toolsAbsent() async throws {
        let directory = TestSupport.temporaryDirectory("lean")
        let agent = directory + "/scanbridge"
        try FileManager.default.copyItem(atPath: TestSupport.executable, toPath: agent)
        for arguments in [["demo", "--seconds", "3"], ["receive", "--help"], ["help", "bench"]] {
            let result = try await Self.run(agent, arguments)
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(
                result.output.contains("no scanbridge-tools beside \(agent)")
                    && result.output.contains("install the scanbridge-tools package")
                    && result.output.contains("swift build --product scanbridge-tools"),
                "\(arguments): \(result.output)")
        }
        let status = try await Self.run(agent, ["status", "--help"])
        #expect(status.status == 0 && status.output.contains("USAGE: scanbridge status"), "\(status.output)")
    }
}
