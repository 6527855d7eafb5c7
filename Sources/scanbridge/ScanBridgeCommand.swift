import ArgumentParser
import Foundation
import ScanBridgePayloadCommands

@main
struct ScanBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanbridge",
        abstract:
            "Edge agent: barcode scanners and RFID readers → durable outbox → signed, hash-chained batches upstream.",
        subcommands: [
            RunCommand.self, DemoCommand.self, StatusCommand.self, ReceiveCommand.self, KeygenCommand.self,
            ExportCommand.self, VerifyCommand.self, DecodeCommand.self, SchemaCommand.self, QuarantineCommand.self,
            ProfilesCommand.self, SimulateCommand.self, BenchCommand.self, DevicesCommand.self,
        ])

    /// Usage errors exit 2 (as the CLI contract says), not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Prints an operator-facing error and exits non-zero without ArgumentParser's usage text.
struct Failure: Error, CustomStringConvertible {
    var description: String
    var code: Int32 = 1

    init(_ description: String, code: Int32 = 1) {
        self.description = description
        self.code = code
    }

    init(_ error: any Error) {
        description = String(describing: error)
    }

    func exit() -> Never {
        FileHandle.standardError.write(Data(("scanbridge: error: " + description + "\n").utf8))
        Foundation.exit(code)
    }
}
