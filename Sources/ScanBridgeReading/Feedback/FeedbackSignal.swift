import ScanBridgeCore

/// What the person at a device should hear about what it just sent: the agent knows within
/// milliseconds whether a scan was held, while the item is still on the bench.
public enum FeedbackSignal: Sendable, Equatable {
    /// A payload was held in quarantine: the operator should check it now.
    case held(quarantineID: String, reason: String)
    /// A payload was accepted.
    case accepted

    /// The `kind` label of `scanbridge_feedback_total`.
    public var kind: String {
        switch self {
        case .held: "error"
        case .accepted: "ok"
        }
    }

    /// The signal for the entries one input produced, a hold taking precedence. Bytes a reader
    /// could not frame (`frame_*`: line noise) and a payload cut short by an unplug are nobody's
    /// doing at the bench, and a beep cannot reach a device that is gone, so they make none.
    public static func of(_ entries: [OutboxEntry]) -> FeedbackSignal? {
        var signal: FeedbackSignal?
        for entry in entries {
            switch entry.event.type {
            case .payloadQuarantined:
                guard let record = entry.quarantine, !record.reasonCode.hasPrefix("frame_"),
                    record.reasonCode != "incomplete"
                else { continue }
                return .held(quarantineID: entry.event.id.description, reason: record.reason)
            case .barcodeScanned, .rfidObserved:
                signal = .accepted
            default:
                continue
            }
        }
        return signal
    }
}
