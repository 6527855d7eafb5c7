/// The three report types a main item can describe (HID 1.11 §6.2.2.4).
public enum HIDReportKind: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case input
    case output
    case feature

    var order: Int {
        switch self {
        case .input: 0
        case .output: 1
        case .feature: 2
        }
    }

    public var description: String {
        switch self {
        case .input: "input"
        case .output: "output"
        case .feature: "feature"
        }
    }
}

/// Names one report: a report id is only unique within its kind (HID 1.11 §6.2.2.7).
public struct HIDReportKey: Hashable, Sendable, CustomStringConvertible {
    public var kind: HIDReportKind
    /// `nil` when the descriptor declares no Report ID, so reports carry no id byte.
    public var reportID: UInt8?

    public init(kind: HIDReportKind, reportID: UInt8?) {
        self.kind = kind
        self.reportID = reportID
    }

    public var description: String {
        reportID.map { "\(kind) report \($0)" } ?? "\(kind) report"
    }
}
