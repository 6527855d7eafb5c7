import ScanBridgeCore

/// What one agent's notices add up to: the devices it has reported, its open drift alerts and
/// its held payloads. A pure fold over the notices in `seq` order, so the fleet page (counts)
/// and the agent page (lists) can never disagree.
///
/// The receiver sees only what the agent sent, so it follows the agent's own rules:
/// - a payload is held from its `payload.quarantined` until a `payload.released` names the
///   same `quarantine_id`;
/// - a drift alert (`schema.drift_detected`, `device.firmware_changed`) stays open until a
///   later `payload.released` of the same device leaves nothing of that device held — the
///   agent closes its alerts the same way, when a replay after a profile fix empties the
///   device's quarantine.
public struct AgentIssues: Sendable, Equatable {
    public struct Device: Sendable, Equatable {
        public var id: String
        /// The firmware the newest notice about the device reported.
        public var firmware: String?
        public var profile: String?
        public var lastSeenAt: String
    }

    /// By device id.
    public var devices: [Device]
    /// Newest first.
    public var openDrift: [ConsoleNotice]
    /// Newest first.
    public var held: [ConsoleNotice]

    static let driftTypes: Set<String> = ["schema.drift_detected", "device.firmware_changed"]

    /// `notices` are one agent's, in `seq` order.
    public init(notices: some Sequence<ConsoleNotice>) {
        var devices: [String: Device] = [:]
        var held: [String: ConsoleNotice] = [:]
        var drift: [ConsoleNotice] = []
        var lastRelease: [String: Int64] = [:]
        for notice in notices {
            if let id = notice.deviceID {
                let firmware =
                    notice.type == "device.firmware_changed" ? notice.new ?? notice.firmware : notice.firmware
                devices[id] = Device(
                    id: id, firmware: firmware ?? devices[id]?.firmware,
                    profile: notice.profile ?? devices[id]?.profile,
                    lastSeenAt: notice.occurredAt)
            }
            switch notice.type {
            case "payload.quarantined":
                held[notice.quarantineID ?? "seq \(notice.seq)"] = notice
            case "payload.released":
                if let id = notice.quarantineID { held[id] = nil }
                if let device = notice.deviceID { lastRelease[device] = notice.seq }
            case let type where Self.driftTypes.contains(type):
                drift.append(notice)
            default:
                break
            }
        }
        let devicesHolding = Set(held.values.compactMap(\.deviceID))
        self.devices = devices.values.sorted { $0.id < $1.id }
        self.held = held.values.sorted { $0.seq > $1.seq }
        self.openDrift = drift.filter { alert in
            guard let device = alert.deviceID else { return true }
            return devicesHolding.contains(device) || (lastRelease[device] ?? 0) < alert.seq
        }.reversed()
    }

    /// Each agent's issues from notices of many agents sorted by agent and `seq`.
    static func byAgent(_ notices: [ConsoleNotice]) -> [String: AgentIssues] {
        var result: [String: AgentIssues] = [:]
        var start = notices.startIndex
        while start < notices.endIndex {
            let agentID = notices[start].agentID
            var end = start
            while end < notices.endIndex, notices[end].agentID == agentID { end += 1 }
            result[agentID] = AgentIssues(notices: notices[start..<end])
            start = end
        }
        return result
    }
}
