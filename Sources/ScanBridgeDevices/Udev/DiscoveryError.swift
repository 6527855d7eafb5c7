/// Why device discovery cannot run; the agent keeps its statically configured devices.
public enum DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unavailable(String)

    public var description: String {
        switch self {
        case .unavailable(let reason):
            "udev is not available (\(reason)) — USB scanners are not discovered; statically configured devices still work"
        }
    }
}
