/// How one device is told about its payloads, decided when it attaches: bytes written back to
/// it (a HID POS output report, a profile's serial frame), else the status page.
public struct FeedbackPlan: Sendable, Equatable {
    /// Where device feedback goes, for the log and for `scanbridge devices`.
    public enum Channel: String, Sendable {
        case hidOutputReport = "hid-output-report"
        case serial
    }

    public var channel: Channel?
    public var error: [UInt8]?
    public var ok: [UInt8]?

    public init(channel: Channel?, error: [UInt8]?, ok: [UInt8]?) {
        self.channel = channel
        self.error = error
        self.ok = ok
    }

    /// No return channel (a keyboard wedge, a vendor USB stream, a model without beep usages):
    /// a held payload is shown on the status page instead.
    public static let pageOnly = FeedbackPlan(channel: nil, error: nil, ok: nil)

    /// What to do about `signal`, given whether the device already refused a write.
    public func action(for signal: FeedbackSignal, deviceRefused: Bool) -> FeedbackAction {
        let bytes: [UInt8]? =
            switch signal {
            case .held: error
            case .accepted: ok
            }
        if let bytes, !deviceRefused { return .write(bytes) }
        if case .held = signal { return .showOnPage }
        return .none
    }
}

/// One signal's delivery.
public enum FeedbackAction: Sendable, Equatable {
    case write([UInt8])
    case showOnPage
    case none
}
