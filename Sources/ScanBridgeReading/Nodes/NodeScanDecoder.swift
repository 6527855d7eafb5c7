import ScanBridgePayloads

/// What a scanner node's bytes become: scans, or rejected keystrokes/reports kept for diagnosis.
public enum NodeScanOutput: Sendable, Equatable {
    case scan([UInt8])
    case rejected(reason: String, raw: [UInt8])
}

/// Turns the bytes read from one kind of node into scans; times are CLOCK_MONOTONIC nanoseconds.
public protocol NodeScanDecoder: Sendable {
    mutating func feed(_ bytes: [UInt8], receivedAt: UInt64) -> [NodeScanOutput]
    /// When the source should deliver a timer (a scan waiting for its inter-key gap).
    var deadline: UInt64? { get }
    mutating func expire(now: UInt64) -> [NodeScanOutput]
    /// The device went away or the agent stops: a half-received scan becomes a rejection.
    mutating func flush(reason: String) -> [NodeScanOutput]
}
