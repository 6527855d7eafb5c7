import ScanBridgeCore

/// One agent as the stores hand it to the console: its chain head (kept up to date by every
/// accepted batch, so no event is read) and when its newest batch arrived.
public struct ConsoleAgentRecord: Sendable, Equatable {
    public var agentID: String
    public var lastBatchSeq: Int64
    public var lastEventSeq: Int64
    public var lastOccurredAt: String?
    /// Events stored; fewer than `lastEventSeq` means some are missing (gaps).
    public var eventCount: Int64
    /// When the agent was enrolled or first sent a batch.
    public var createdAt: String?
    /// When its newest batch was received; nil before its first batch.
    public var lastReceivedAt: String?

    public init(
        agentID: String, lastBatchSeq: Int64, lastEventSeq: Int64, lastOccurredAt: String?, eventCount: Int64,
        createdAt: String?, lastReceivedAt: String?
    ) {
        self.agentID = agentID
        self.lastBatchSeq = lastBatchSeq
        self.lastEventSeq = lastEventSeq
        self.lastOccurredAt = lastOccurredAt
        self.eventCount = eventCount
        self.createdAt = createdAt
        self.lastReceivedAt = lastReceivedAt
    }

    /// Events below `lastEventSeq` the store does not hold.
    public var missingEvents: Int64 { max(0, lastEventSeq - eventCount) }
}

/// An event the console reports on, with the few fields of its body it shows. The stores
/// pull them out of the JSON body in SQL, so the console never parses event bodies itself.
public struct ConsoleNotice: Sendable, Equatable {
    /// Device sightings, drift alerts and the quarantine's notices: the only events the
    /// console reads, and the only ones the stores' partial index `receiver_events_notices`
    /// holds (a few per device, against thousands of scans).
    public static let types = [
        EventType.deviceAttached, .deviceFirmwareChanged, .schemaDriftDetected, .payloadQuarantined,
        .payloadReleased,
    ].map(\.rawValue)

    /// `type IN (…)` exactly as the partial index's predicate says it, so both databases see
    /// that a query's condition implies the index's.
    static let typeCondition = "type IN (" + types.map { "'\($0)'" }.joined(separator: ", ") + ")"

    public var agentID: String
    public var seq: Int64
    public var type: String
    public var occurredAt: String
    public var deviceID: String?
    public var firmware: String?
    /// `data.quarantine_id` of `payload.quarantined` and `payload.released`.
    public var quarantineID: String?
    /// `data.reason` of `payload.quarantined`.
    public var reason: String?
    public var profile: String?
    /// `data.old` and `data.new` of `device.firmware_changed`.
    public var old: String?
    public var new: String?

    public init(
        agentID: String, seq: Int64, type: String, occurredAt: String, deviceID: String? = nil,
        firmware: String? = nil, quarantineID: String? = nil, reason: String? = nil, profile: String? = nil,
        old: String? = nil, new: String? = nil
    ) {
        self.agentID = agentID
        self.seq = seq
        self.type = type
        self.occurredAt = occurredAt
        self.deviceID = deviceID
        self.firmware = firmware
        self.quarantineID = quarantineID
        self.reason = reason
        self.profile = profile
        self.old = old
        self.new = new
    }
}
