import ArgumentParser
import Foundation
import Logging
import ScanBridgeAgent

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

enum Logs {
    static func bootstrap(level: String) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
    }
}
