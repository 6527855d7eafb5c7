/// One evdev `input_event`, without its timestamp split: `time` is the event time in microseconds.
///
/// Kept as plain numbers so the decoder can be fed from a device, an evemu recording or a test
/// without knowing about `struct timeval`.
public struct KeyEvent: Sendable, Hashable {
    public var type: UInt16
    public var code: UInt16
    public var value: Int32
    public var time: UInt64

    public init(type: UInt16, code: UInt16, value: Int32, time: UInt64) {
        self.type = type
        self.code = code
        self.value = value
        self.time = time
    }
}

/// Event types the decoder looks at (values from `linux/input-event-codes.h`).
public enum KeyEventType {
    public static let syn: UInt16 = 0
    public static let key: UInt16 = 1
    public static let msc: UInt16 = 4
}

/// `EV_SYN` codes: `SYN_DROPPED` means the kernel's buffer overflowed and events were lost.
public enum SynCode {
    public static let report: UInt16 = 0
    public static let dropped: UInt16 = 3
}

/// `EV_KEY` values: the kernel reports a press, a release, or an autorepeat of a held key.
public enum KeyValue {
    public static let release: Int32 = 0
    public static let press: Int32 = 1
    public static let autorepeat: Int32 = 2
}
