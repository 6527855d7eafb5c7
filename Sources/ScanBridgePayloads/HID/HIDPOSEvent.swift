/// What one input report meant to a `HIDPOSReportDecoder`.
public enum HIDPOSEvent: Hashable, Sendable {
    /// A whole scan: the decoded bytes and the symbology identifier bytes the scanner sent
    /// (an AIM identifier such as `]E0`, zero bytes left out), from its first report.
    case scan(data: [UInt8], symbology: [UInt8])
    /// Part of a scan that continues in the next report; nothing to deliver yet.
    case continued
    /// A well-formed report that carries no scan (another input report, or an empty one).
    case ignored
    /// Bytes that did not make a scan: the report, with the reports of a scan it cut short.
    case rejected([UInt8], HIDPOSRejectionReason)
}

/// Why bytes were rejected instead of decoded.
public enum HIDPOSRejectionReason: Hashable, Sendable, CustomStringConvertible {
    case emptyReport
    case unknownReportID(UInt8)
    case wrongLength(expected: Int, actual: Int)
    /// The Byte Count claims more bytes than the Decoded Data field holds.
    case byteCountExceedsCapacity(count: Int, capacity: Int)
    /// The scan outgrew the decoder's `maximumLength`.
    case scanTooLong(limit: Int)
    /// `flush(reason:)`: the scan stopped before its last report, for no reason known here.
    case unfinishedScan
    /// `flush(reason:)`: the device went away in the middle of a scan.
    case deviceRemoved

    public var description: String {
        switch self {
        case .emptyReport: "empty report"
        case .unknownReportID(let id): "unknown report id \(id)"
        case .wrongLength(let expected, let actual): "report of \(actual) bytes, expected \(expected)"
        case .byteCountExceedsCapacity(let count, let capacity):
            "byte count \(count) exceeds the \(capacity) data bytes of the report"
        case .scanTooLong(let limit): "scan longer than \(limit) bytes"
        case .unfinishedScan: "scan ended before its last report"
        case .deviceRemoved: "device removed during a scan"
        }
    }
}
