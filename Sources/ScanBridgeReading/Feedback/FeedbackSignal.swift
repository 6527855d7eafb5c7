import ScanBridgeCore

/// What the person at a device should hear about what it just sent: the agent knows within
/// milliseconds whether a scan was held, while the item is still on the bench.
public enum FeedbackSignal: Sendable, Equatable {
    /// One payload held in quarantine, as the status page names it.
    public struct Hold: Sendable, Equatable {
        public var quarantineID: String
        public var reason: String

        public init(quarantineID: String, reason: String) {
            self.quarantineID = quarantineID
            self.reason = reason
        }
    }

    /// Payloads were held in quarantine (one read can carry several): check them now.
    case held([Hold])
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
        var holds: [Hold] = []
        var accepted = false
        for entry in entries {
            switch entry.event.type {
            case .payloadQuarantined:
                guard let record = entry.quarantine, !record.reasonCode.hasPrefix("frame_"),
                    record.reasonCode != "incomplete"
                else { continue }
                holds.append(Hold(quarantineID: entry.event.id.description, reason: record.reason))
            case .barcodeScanned, .rfidObserved:
                accepted = true
            default:
                continue
            }
        }
        if !holds.isEmpty { return .held(holds) }
        return accepted ? .accepted : nil
    }
}
