/// The bits of an EPC, read most significant first.
struct EPCBits {
    let bytes: [UInt8]
    /// Number of meaningful bits (4 per hex digit).
    let count: Int

    /// Parses hex: optional `0x`, spaces, `-` and `:` between digits are ignored. Nil on any other character.
    static func parse(hex: String) -> (bits: EPCBits?, problem: String?) {
        var nibbles: [UInt8] = []
        var text = Substring(hex)
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text = text.dropFirst(2) }
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            switch scalar {
            case " ", "\t", "\n", "\r", "-", ":": continue
            case "0"..."9": nibbles.append(UInt8(scalar.value - 48))
            case "a"..."f": nibbles.append(UInt8(scalar.value - 87))
            case "A"..."F": nibbles.append(UInt8(scalar.value - 55))
            default:
                let shown =
                    scalar.isASCII && scalar.value >= 0x21 && scalar.value < 0x7F
                    ? "'\(scalar)'" : "U+\(String(scalar.value, radix: 16, uppercase: true))"
                return (nil, "character \(offset + 1), \(shown), is not a hex digit")
            }
        }
        guard !nibbles.isEmpty else { return (nil, "no hex digits") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((nibbles.count + 1) / 2)
        var index = 0
        while index < nibbles.count {
            let low = index + 1 < nibbles.count ? nibbles[index + 1] : 0
            bytes.append(nibbles[index] << 4 | low)
            index += 2
        }
        return (EPCBits(bytes: bytes, count: nibbles.count * 4), nil)
    }

    func bit(_ index: Int) -> UInt64 {
        guard index >= 0, index < count else { return 0 }
        return UInt64(bytes[index >> 3] >> (7 - UInt8(index & 7)) & 1)
    }

    /// `length` (at most 64) bits from `offset` as an unsigned integer.
    func value(at offset: Int, length: Int) -> UInt64 {
        var result: UInt64 = 0
        for index in offset..<(offset + min(length, 64)) { result = result << 1 | bit(index) }
        return result
    }

    /// Whether every bit from `offset` on is zero.
    func allZero(from offset: Int) -> Bool {
        var index = offset
        while index < count {
            if bit(index) != 0 { return false }
            index += 1
        }
        return true
    }
}
