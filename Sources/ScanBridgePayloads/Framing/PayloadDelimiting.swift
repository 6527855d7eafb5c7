import ScanBridgeCore

/// What marks where a payload ends, which decides the control bytes a payload may hold.
///
/// Where CR or LF end a payload (serial lines, a wedge scanner's Enter), a control byte inside
/// one is line noise. Where the transport carries the payload whole (a HID POS report says how
/// many bytes it holds), CR, LF, RS and EOT are data: PDF417 driving licences (AAMVA) and
/// ISO/IEC 15434 messages (`[)>` RS `06` GS … RS EOT) use them.
public enum PayloadDelimiting: Sendable, Equatable {
    case lines
    case reports

    /// How payloads read over `transport` are delimited: HID POS by its reports, every other
    /// scanner transport by a line terminator or suffix.
    public init(transport: DeviceTransport) {
        self = transport == .hidPOS ? .reports : .lines
    }

    /// Whether a control byte (below 0x20, or DEL) is payload data here. GS (the GS1 field
    /// separator) always is.
    public func allowsControl(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x1D: true
        case 0x04, 0x0A, 0x0D, 0x1E: self == .reports
        default: false
        }
    }
}
