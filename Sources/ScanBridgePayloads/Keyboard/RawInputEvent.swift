/// One evdev `struct input_event`, its timestamp in microseconds.
public struct RawInputEvent: Sendable, Hashable {
    /// Size of `struct input_event` on 64-bit Linux: timeval (16), type, code (2 + 2), value (4).
    public static let size = 24

    public var type: UInt16
    public var code: UInt16
    public var value: Int32
    public var microseconds: UInt64

    public init(type: UInt16, code: UInt16, value: Int32, microseconds: UInt64) {
        self.type = type
        self.code = code
        self.value = value
        self.microseconds = microseconds
    }

    /// Splits `bytes` into input events, keeping a partial event in `remainder` for the next
    /// read (a real evdev node returns whole events; a stream may not).
    public static func events(from bytes: [UInt8], remainder: inout [UInt8]) -> [RawInputEvent] {
        var data = remainder
        data += bytes
        var events: [RawInputEvent] = []
        events.reserveCapacity(data.count / size)
        var offset = 0
        data.withUnsafeBytes { raw in
            while offset + size <= raw.count {
                let seconds = raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)
                let microseconds = raw.loadUnaligned(fromByteOffset: offset + 8, as: Int64.self)
                let type = raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt16.self)
                let code = raw.loadUnaligned(fromByteOffset: offset + 18, as: UInt16.self)
                let value = raw.loadUnaligned(fromByteOffset: offset + 20, as: Int32.self)
                let time = UInt64(clamping: seconds) &* 1_000_000 &+ UInt64(clamping: microseconds)
                events.append(RawInputEvent(type: type, code: code, value: value, microseconds: time))
                offset += size
            }
        }
        remainder = Array(data[offset...])
        return events
    }
}
