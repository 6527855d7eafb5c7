import ArgumentParser
import ScanBridgeCommandSupport

/// The tool commands as the agent's help and completions show them: name and abstract only,
/// since their code is in `scanbridge-tools`. `main` hands such a command line over before
/// parsing (`ToolDispatch`); should one be parsed anyway, running it hands over too.
protocol ToolCommandStub: ParsableCommand {
    static var tool: ToolCommand { get }
    var arguments: [String] { get }
}

extension ToolCommandStub {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: tool.rawValue,
            abstract: tool.abstract,
            discussion: "Runs `\(ToolCommand.executableName) \(tool.rawValue)`, installed beside scanbridge.")
    }

    func run() throws {
        ToolDispatch.handOver(Self.tool, arguments: [Self.tool.rawValue] + arguments)
    }
}

struct DemoStub: ToolCommandStub {
    static let tool = ToolCommand.demo
    @Argument(parsing: .captureForPassthrough, help: .hidden) var arguments: [String] = []
}

struct ReceiveStub: ToolCommandStub {
    static let tool = ToolCommand.receive
    @Argument(parsing: .captureForPassthrough, help: .hidden) var arguments: [String] = []
}

struct VerifyStub: ToolCommandStub {
    static let tool = ToolCommand.verify
    @Argument(parsing: .captureForPassthrough, help: .hidden) var arguments: [String] = []
}

struct SimulateStub: ToolCommandStub {
    static let tool = ToolCommand.simulate
    @Argument(parsing: .captureForPassthrough, help: .hidden) var arguments: [String] = []
}

struct BenchStub: ToolCommandStub {
    static let tool = ToolCommand.bench
    @Argument(parsing: .captureForPassthrough, help: .hidden) var arguments: [String] = []
}
