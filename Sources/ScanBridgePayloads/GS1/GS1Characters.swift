/// Character classes of GS1 AI data (GS1 General Specifications figures 7.11-1 to 7.11-3).
enum GS1Characters {
    static let groupSeparator: UInt8 = 0x1D

    /// CSET 82 in value order (the order the alphanumeric check pair weights them by).
    static let cset82: [UInt8] = Array(
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8)

    private static let cset82Values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in cset82.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    /// The position of `byte` in CSET 82, or nil.
    static func cset82Value(_ byte: UInt8) -> Int? {
        let value = cset82Values[Int(byte)]
        return value < 0 ? nil : Int(value)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isCSET82(_ byte: UInt8) -> Bool { cset82Values[Int(byte)] >= 0 }

    /// CSET 39: `#`, `-`, `/`, digits, upper-case letters.
    static func isCSET39(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "#") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") || isDigit(byte)
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// CSET 64 without padding: letters, digits, `-`, `_`.
    static func isCSET64(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    /// A byte as a person should read it in an error message: `'a'`, `GS`, `0xC3`.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x1D: return "GS (ASCII 29)"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x20: return "space"
        default: return "byte 0x" + hex(byte)
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let digits: [Character] = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    static func string<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: Array(bytes), as: UTF8.self)
    }
}
