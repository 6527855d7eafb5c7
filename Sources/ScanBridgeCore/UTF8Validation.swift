/// Well-formed UTF-8 (Unicode table 3-7, RFC 3629): no overlong forms, no surrogates, nothing
/// past U+10FFFF. Both JSON readers check strings byte by byte with it, so a payload and a
/// batch are held to the same rule.
public enum UTF8Validation {
    /// The length of the well-formed multi-byte sequence whose lead byte is at `offset`, or
    /// nil when the bytes there are not one (ASCII is the caller's fast path).
    @inlinable
    public static func sequenceLength<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at offset: Int) -> Int?
    where Bytes.Index == Int {
        let lead = bytes[offset]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            second = 0x80...0x9F
        case 0xF0:
            length = 4
            second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            second = 0x80...0x8F
        default: return nil
        }
        guard offset + length <= bytes.endIndex else { return nil }
        for index in 1..<length {
            let range = index == 1 ? second : 0x80...0xBF
            guard range.contains(bytes[offset + index]) else { return nil }
        }
        return length
    }
}
