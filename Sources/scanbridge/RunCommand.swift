import ArgumentParser
import Logging
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeStore
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the agent: read devices, keep events durably, forward signed batches.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = options.load()
        Logs.bootstrap(level: configuration.logLevel)
        let logger = Logger(label: "scanbridge")
        // Held until the process exits: one agent per state directory.
        let lock: StateDirectoryLock
        do { lock = try StateDirectoryLock(directory: configuration.stateDirectory) } catch { Failure(error).exit() }
        let agent: Agent
        do { agent = try Agent(configuration: configuration, logger: logger) } catch { Failure(error).exit() }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: agent)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch { Failure(error).exit() }
        withExtendedLifetime(lock) {}
    }
}
