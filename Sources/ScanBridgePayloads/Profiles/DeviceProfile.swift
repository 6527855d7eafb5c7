/// How to understand one kind of device: how it frames and encodes its payloads, which
/// schema a payload must satisfy, and how to turn it into an event's `data`.
///
/// Profiles are data, written by operators (`profiles.d/*.json`) or shipped built in, so a
/// firmware update that changes a payload is answered with a new profile version, not a new
/// agent release.
public struct DeviceProfile: Sendable {
    public enum Decoder: Sendable, Equatable {
        case text
        case json
        case gs1
        case epc
        case readerProtocol(String)

        public var name: String {
            switch self {
            case .text: "text"
            case .json: "json"
            case .gs1: "gs1"
            case .epc: "epc"
            case .readerProtocol(let name): name
            }
        }
    }

    public struct Match: Sendable {
        public var vendorID: String?
        public var productID: String?
        public var serial: String?
        public var firmware: FirmwareRequirement?
    }

    /// Bytes that make the device beep or light a lamp, written on the port it is read from:
    /// `error` when a payload is held, `ok` when one is accepted. Whole frames, checksum
    /// included, so any protocol's command fits without the agent knowing it.
    public struct Feedback: Sendable, Equatable {
        public var error: [UInt8]?
        public var ok: [UInt8]?

        public init(error: [UInt8]? = nil, ok: [UInt8]? = nil) {
            self.error = error
            self.ok = ok
        }
    }

    public var id: String
    public var version: Int
    public var match: Match
    public var framing: String
    public var decoder: Decoder
    public var schema: JSONSchema?
    public var normalisation: PayloadNormalisation?
    /// Present for readers that speak a protocol (framing other than plain lines, or an
    /// RFID line pattern).
    public var reader: ReaderSettings?
    public var feedback: Feedback?
    /// Where the profile came from, for `profiles list` and error messages.
    public var source: String
    /// The profile as it was written, so `profiles show --json` can export a built-in one
    /// as a file an operator can copy and edit.
    public var document: JSONValue

    public var decoderName: String { decoder.name }

    /// `id@version`, as events name it.
    public var name: String { "\(id)@\(version)" }

    /// Whether the profile applies to a device with this identity, judged with the firmware
    /// the device had when the payload arrived.
    public func matches(vendorID: String?, productID: String?, serial: String?, firmware: String?) -> Bool {
        if let wanted = match.vendorID, wanted.lowercased() != vendorID?.lowercased() { return false }
        if let wanted = match.productID, wanted.lowercased() != productID?.lowercased() { return false }
        if let wanted = match.serial, wanted != serial { return false }
        if let requirement = match.firmware, !requirement.isSatisfied(by: firmware) { return false }
        return true
    }
}
