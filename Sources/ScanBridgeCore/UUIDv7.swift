/// RFC 9562 version 7 UUIDs: time-ordered, so event ids sort roughly by creation time and
/// index well in the receiver's database.
public struct UUIDv7: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(timestamp: Timestamp = .now()) {
        var generator = SystemRandomNumberGenerator()
        self.init(timestamp: timestamp, using: &generator)
    }

    public init(timestamp: Timestamp, using generator: inout some RandomNumberGenerator) {
        let millis = UInt64(max(0, timestamp.millisecondsSinceEpoch))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
        let randomA = generator.next() as UInt64
        let randomB = generator.next() as UInt64
        for i in 6..<16 {
            let source = i < 12 ? randomA >> (8 * UInt64(i - 6)) : randomB >> (8 * UInt64(i - 12))
            bytes[i] = UInt8(truncatingIfNeeded: source)
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        self.bytes = bytes
    }

    public var description: String {
        var text = Hex.encode(bytes)
        for position in [8, 13, 18, 23] {
            text.insert("-", at: text.index(text.startIndex, offsetBy: position))
        }
        return text
    }
}
