/// How a serial device's bytes are cut into payloads: text lines, or a reader protocol.
public enum Framing: String, Sendable, Equatable, CaseIterable {
    case lines
    case mercury
    case chafon
    case stxHexXor = "stx-hex-xor"

    /// The built-in profile a device with this framing gets when it names none.
    public var defaultProfile: String {
        switch self {
        case .lines: "serial-lines"
        case .mercury: "thingmagic-mercury"
        case .chafon: "chafon-uhfreader18"
        case .stxHexXor: "em4100-ascii"
        }
    }
}
