import ScanBridgeCore

/// What a device machine asks its runner to do after one input: the runner stores, writes,
/// logs and counts; the machine decides.
public struct Reaction: Sendable {
    /// Committed to the outbox together, before the device is read further.
    public var entries: [OutboxEntry] = []
    /// Written to the device, in order (reader commands).
    public var commands: [Command] = []
    /// Log lines for the operator.
    public var notes: [Note] = []
    public var counts = ReadingCounts()
    /// The device started or stopped flooding.
    public var rate: RateWatch.Change?
    /// When the machine wants a `.timer` (CLOCK_MONOTONIC nanoseconds); nil: none.
    public var deadline: UInt64?

    public init() {}
}

/// Bytes for the device, with what they are for the log ("start 0x22").
public struct Command: Sendable, Equatable {
    public var bytes: [UInt8]
    public var purpose: String

    public init(bytes: [UInt8], purpose: String) {
        self.bytes = bytes
        self.purpose = purpose
    }
}

/// A log line a machine wants the operator to read.
public struct Note: Sendable, Equatable {
    public enum Level: Sendable, Equatable {
        case debug, info, notice, warning, error
    }

    public var level: Level
    public var message: String

    public init(_ level: Level, _ message: String) {
        self.level = level
        self.message = message
    }
}

/// What a machine read that the agent's counters show (the stored events count themselves).
public struct ReadingCounts: Sendable, Equatable {
    /// Tag reads decoded, before deduplication.
    public var tagReads = 0
    /// Tag reads merged into the observations stored.
    public var observedReads = 0
    /// Bytes a reader codec could not frame.
    public var rejectedBytes = 0

    public init() {}

    public var isEmpty: Bool { self == ReadingCounts() }
}
