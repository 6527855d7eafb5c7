import ArgumentParser
import ScanBridgeCommandSupport
import ScanBridgePayloadCommands

@main
struct ScanBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanbridge",
        abstract:
            "Edge agent: barcode scanners and RFID readers → durable outbox → signed, hash-chained batches upstream.",
        subcommands: [
            RunCommand.self, DemoStub.self, StatusCommand.self, ReceiveStub.self, KeygenCommand.self,
            ExportCommand.self, VerifyStub.self, DecodeCommand.self, SchemaCommand.self, QuarantineCommand.self,
            ProfilesCommand.self, SimulateStub.self, BenchStub.self, DevicesCommand.self,
        ])

    static func main() async {
        // `scanbridge demo …` and the other tool commands: before any parsing, as git does.
        ToolDispatch.handOverIfToolCommand(CommandLine.arguments)
        await runCommandLine()
    }
}
