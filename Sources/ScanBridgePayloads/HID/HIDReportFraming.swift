/// How input reports are delimited in a byte stream, from the descriptor's report lengths.
public enum HIDReportFraming: Hashable, Sendable {
    /// No report ids: every report has the same length.
    case unnumbered(length: Int)
    /// Each report starts with its id byte; lengths include that byte.
    case numbered(lengths: [UInt8: Int])

    /// The longest report: a stream never needs to hold more than this minus one byte.
    public var maximumLength: Int {
        switch self {
        case .unnumbered(let length): length
        case .numbered(let lengths): lengths.values.max() ?? 0
        }
    }

    /// Length of the report that starts with `firstByte`, or `nil` if no report starts so.
    public func length(startingWith firstByte: UInt8) -> Int? {
        switch self {
        case .unnumbered(let length): length
        case .numbered(let lengths): lengths[firstByte]
        }
    }
}
