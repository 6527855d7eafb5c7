/// Reads values out of a report; HID packs fields least significant bit first (HID 1.11 §5.8).
enum HIDBitReader {
    /// The unsigned value of `bitCount` (at most 64) bits starting `bitOffset` bits into
    /// `bytes[start...]`, or `nil` when the bits run past the end.
    static func value(in bytes: [UInt8], from start: Int, bitOffset: Int, bitCount: Int) -> UInt64? {
        precondition(bitCount >= 0 && bitCount <= 64, "at most 64 bits")
        guard bitOffset >= 0, start >= 0, start <= bytes.count,
            bitOffset + bitCount <= (bytes.count - start) * 8
        else { return nil }
        var value: UInt64 = 0
        var read = 0
        var position = bitOffset
        while read < bitCount {
            let byte = UInt64(bytes[start + position / 8] >> UInt8(position % 8))
            let take = min(8 - position % 8, bitCount - read)
            value |= (byte & ((1 << UInt64(take)) - 1)) << UInt64(read)
            read += take
            position += take
        }
        return value
    }
}
