import ScanBridgeCore
import ScanBridgeWire

/// Everything the agent page shows about one agent.
public struct ConsoleAgentDetail: Sendable {
    public var status: ConsoleAgentStatus
    public var issues: AgentIssues
    /// Missing `seq` ranges, `[from, to]`.
    public var gaps: [[Int64]]
    public var keys: [EnrolledKey]
}

/// Reads what the console pages show from the store.
///
/// The fleet page needs every agent to put the one that needs attention on top, so it reads
/// all agent rows (one per agent, chain heads kept up to date at acceptance, no event scanned)
/// and the notices through their partial index — a few per device, never the scans — then
/// sorts in memory and renders one page. The agent page reads one agent's rows the same way.
public struct ConsoleReader: Sendable {
    public let store: any ReceiverStorage

    public init(store: any ReceiverStorage) {
        self.store = store
    }

    /// Every agent, the one that needs attention first (`ConsoleAgentStatus.needsAttentionFirst`).
    public func fleet(now: Timestamp = .now()) async throws(ReceiverStoreError) -> [ConsoleAgentStatus] {
        let records = try await store.consoleAgents(agentID: nil)
        let issues = AgentIssues.byAgent(try await store.consoleNotices(agentID: nil))
        let keys = Dictionary(grouping: try await store.enrolledKeys(), by: \.agentID)
        return records.map {
            ConsoleAgentStatus(record: $0, keys: keys[$0.agentID] ?? [], issues: issues[$0.agentID], now: now)
        }.sorted(by: ConsoleAgentStatus.needsAttentionFirst)
    }

    /// One agent, or nil when the store does not know it.
    public func agent(_ agentID: String, now: Timestamp = .now()) async throws(ReceiverStoreError)
        -> ConsoleAgentDetail?
    {
        guard let record = try await store.consoleAgents(agentID: agentID).first else { return nil }
        let issues = AgentIssues(notices: try await store.consoleNotices(agentID: agentID))
        let keys = try await store.enrolledKeys().filter { $0.agentID == agentID }
        // The gap query reads the agent's events only when its counts say some are missing.
        let gaps = record.missingEvents > 0 ? try await store.agentSummary(agentID)?.gaps ?? [] : []
        return ConsoleAgentDetail(
            status: ConsoleAgentStatus(record: record, keys: keys, issues: issues, now: now), issues: issues,
            gaps: gaps, keys: keys)
    }
}
