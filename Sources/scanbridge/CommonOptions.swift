import ArgumentParser
import FoundationEssentials
import ScanBridgeAgent
import ScanBridgeCommandSupport

struct ConfigOption: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Config file (default: $SCANBRIDGE_CONFIG, else /etc/scanbridge/scanbridge.yaml if present, else built-in defaults)."
    )
    var config: String?

    func load() -> AgentConfiguration {
        let environment = ProcessInfo.processInfo.environment
        do {
            return try ConfigurationLoader.load(
                path: ConfigurationLoader.locate(explicit: config, environment: environment), environment: environment)
        } catch {
            Failure(error.description).exit()
        }
    }
}
