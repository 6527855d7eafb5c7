import ScanBridgeCore

/// When something happened, on both clocks a device machine needs: the monotonic one its
/// deadlines and windows are measured on, and the wall clock its events are stamped with.
/// Given, never read, so a machine replays the same way in a test as on a device.
public struct ReadingInstant: Sendable, Equatable {
    /// CLOCK_MONOTONIC nanoseconds.
    public var monotonic: UInt64
    public var wall: Timestamp
    /// Whether the wall clock was synchronised (carried on every event, see DESIGN.md).
    public var clockSynchronized: Bool

    public init(monotonic: UInt64, wall: Timestamp, clockSynchronized: Bool = true) {
        self.monotonic = monotonic
        self.wall = wall
        self.clockSynchronized = clockSynchronized
    }
}

/// What happened to a device, as its machine is told.
public enum ReadingInput: Sendable, Equatable {
    /// The device is open (again, for a serial port that came back).
    case opened(ReadingInstant)
    case bytes([UInt8], ReadingInstant)
    /// The deadline the last reaction asked for has passed.
    case timer(ReadingInstant)
    /// The device went away (unplugged, EIO, hang-up); a serial port may open again.
    case closed(reason: String, ReadingInstant)
    /// Reading ends for good: `removed` when the device was unplugged, else the agent stops.
    case ended(removed: Bool, ReadingInstant)

    public var instant: ReadingInstant {
        switch self {
        case .opened(let at), .bytes(_, let at), .timer(let at), .closed(_, let at), .ended(_, let at): at
        }
    }
}
