/// A configuration problem, naming the key (as a dotted path) and what would be valid.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public var key: String
    public var message: String
    public var source: String

    public init(key: String, message: String, source: String) {
        self.key = key
        self.message = message
        self.source = source
    }

    public var description: String { "\(source): \(key): \(message)" }
}
