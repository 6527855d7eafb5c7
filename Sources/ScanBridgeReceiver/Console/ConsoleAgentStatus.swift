import ScanBridgeCore
import ScanBridgeWire

/// One row of the fleet page: an agent's chain head, key, alerts and how late it is, with how
/// much it needs a person's attention.
public struct ConsoleAgentStatus: Sendable, Equatable {
    /// How urgently an agent needs someone, most urgent first.
    ///
    /// - `behind`: finance is missing this agent's data — events are missing (gaps), no batch
    ///   arrived for `silentAfterSeconds`, or its newest event is older than `lateAfterSeconds`.
    /// - `alerting`: data flows, but a device drifted (open drift alert) or payloads are held.
    /// - `healthy`: nothing to do.
    ///
    /// Within a level the agent with the larger lag comes first (one without any event first of
    /// all: it has never been heard from), then by `agent_id`.
    public enum Attention: Int, Sendable, Comparable {
        case behind, alerting, healthy

        public static func < (lhs: Attention, rhs: Attention) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// No batch for this long and the agent is silent rather than receiving.
    public static let silentAfterSeconds: Int64 = 5 * 60
    /// A newest event older than this puts the agent among those behind.
    public static let lateAfterSeconds: Int64 = 15 * 60

    public var record: ConsoleAgentRecord
    /// The key the agent signs with now: enrolled or handed over to, not revoked, not retired.
    public var currentKid: String?
    /// Hand-overs (`agent.key_rotated`) the store accepted for this agent.
    public var handovers: Int
    public var openDrift: Int
    public var held: Int
    /// Now − newest `occurred_at`; nil before any event.
    public var lagSeconds: Int64?
    /// Now − when the newest batch arrived (or the agent was enrolled, before its first batch).
    public var silentSeconds: Int64?

    public var agentID: String { record.agentID }
    public var receiving: Bool { record.lastReceivedAt != nil && (silentSeconds ?? .max) < Self.silentAfterSeconds }

    public var attention: Attention {
        if record.missingEvents > 0 || !receiving || (lagSeconds ?? .max) >= Self.lateAfterSeconds { return .behind }
        if openDrift > 0 || held > 0 { return .alerting }
        return .healthy
    }

    public init(
        record: ConsoleAgentRecord, keys: [EnrolledKey], issues: AgentIssues?, now: Timestamp
    ) {
        self.record = record
        // Keys come in enrolment order; a handed-over key is retired, so the live one is last.
        currentKid = keys.last { $0.revokedAt == nil && $0.retiredAfterBatchSeq == nil }?.kid
        handovers = keys.count { $0.replacedBy != nil }
        openDrift = issues?.openDrift.count ?? 0
        held = issues?.held.count ?? 0
        lagSeconds = Self.seconds(since: record.lastOccurredAt, now: now)
        silentSeconds = Self.seconds(since: record.lastReceivedAt ?? record.createdAt, now: now)
    }

    static func seconds(since time: String?, now: Timestamp) -> Int64? {
        guard let time, let then = Timestamp(iso8601: time) else { return nil }
        return max(0, (now.microsecondsSinceEpoch - then.microsecondsSinceEpoch) / 1_000_000)
    }

    /// The order of the fleet page: `Attention`, then lag descending, then `agent_id`.
    public static func needsAttentionFirst(_ a: ConsoleAgentStatus, _ b: ConsoleAgentStatus) -> Bool {
        if a.attention != b.attention { return a.attention < b.attention }
        let (lagA, lagB) = (a.lagSeconds ?? .max, b.lagSeconds ?? .max)
        if lagA != lagB { return lagA > lagB }
        return a.agentID < b.agentID
    }
}
