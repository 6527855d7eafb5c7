/// Why a framed payload cannot become a scan event.
public enum PayloadRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case oversize(length: Int, limit: Int)
    case invalidUTF8(offset: Int)
    case controlCharacter(byte: UInt8, offset: Int)
    case incompleteAtDisconnect(length: Int)

    /// A short stable code for dashboards and the quarantine table.
    public var code: String {
        switch self {
        case .oversize: "oversize"
        case .invalidUTF8: "invalid_utf8"
        case .controlCharacter: "control_character"
        case .incompleteAtDisconnect: "incomplete"
        }
    }

    public var description: String {
        switch self {
        case .oversize(let length, let limit):
            "line of \(length) bytes exceeds the limit of \(limit) (devices[].max_line_bytes)"
        case .invalidUTF8(let offset):
            "invalid UTF-8 at byte \(offset): wrong baud rate or keyboard-country setting on the scanner?"
        case .controlCharacter(let byte, let offset):
            "unexpected control byte 0x\(String(byte, radix: 16)) at byte \(offset)"
        case .incompleteAtDisconnect(let length):
            "device went away after \(length) bytes, before the line ended"
        }
    }
}

/// Text of a scanned payload: valid UTF-8, no control bytes except GS (ASCII 29), which GS1
/// data uses as its field separator, and those `delimiting` makes data.
public enum ScanText {
    public static func validate(_ line: [UInt8], delimiting: PayloadDelimiting = .lines) -> Result<
        String, PayloadRejection
    > {
        for (offset, byte) in line.enumerated() where (byte < 0x20 || byte == 0x7F) && !delimiting.allowsControl(byte) {
            return .failure(.controlCharacter(byte: byte, offset: offset))
        }
        var iterator = line.makeIterator()
        var decoder = UTF8()
        var offset = 0
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalars.append(scalar)
                offset += UTF8.width(scalar)
            case .emptyInput:
                return .success(String(scalars))
            case .error:
                return .failure(.invalidUTF8(offset: offset))
            }
        }
    }
}
