/// Why a profile file cannot be used, with the JSON pointer of the offending member.
public struct ProfileLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var pointer: String
    public var message: String

    public init(source: String, pointer: String, message: String) {
        self.source = source
        self.pointer = pointer
        self.message = message
    }

    public var description: String {
        "\(source): \(pointer.isEmpty ? "(root)" : pointer): \(message)"
    }
}
