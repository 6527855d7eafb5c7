import Logging

/// Log lines on standard error at the level asked for (`run`, `receive serve`).
public enum Logs {
    public static func bootstrap(level: String) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
    }
}
