import ArgumentParser
import ScanBridgeCommandSupport

/// `scanbridge-tools`: the commands kept out of the agent's binary (the reference receiver and
/// everything that reads its stores, the demo, the benches, the simulators). Operators type them
/// as `scanbridge receive …`: the agent hands such a command line over to this executable,
/// which is why its root command is named `scanbridge` too (usage and help read the same).
@main
struct ScanBridgeToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanbridge",
        abstract:
            "The tools beside the agent: demo, reference receiver, chain audit, device simulators, benches.",
        discussion: """
            Type them as `scanbridge <command>`: the agent, scanbridge, hands these commands to this executable, \
            installed beside it.
            """,
        subcommands: [
            DemoCommand.self, ReceiveCommand.self, VerifyCommand.self, SimulateCommand.self, BenchCommand.self,
        ])

    static func main() async {
        await runCommandLine()
    }
}
