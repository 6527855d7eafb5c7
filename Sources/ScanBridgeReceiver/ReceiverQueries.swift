import Logging
import ScanBridgeCore

/// The read side of the receiver's API: the event feed for finance systems and the agent list.
public struct ReceiverQueries: Sendable {
    public static let defaultLimit = 100
    public static let maximumLimit = 1000

    public let store: any ReceiverStorage
    public let logger: Logger

    public init(store: any ReceiverStorage, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// `GET /v1/events?after=CURSOR&limit=N`: events in commit order after the cursor, each
    /// with its own cursor and its exact signed bytes; `next_cursor` is where to resume (the
    /// cursor given when there is nothing new).
    public func events(after: String?, limit: String?) async -> ReceiverReply {
        var cursor = FeedCursor.start
        if let after, !after.isEmpty {
            guard let parsed = FeedCursor(after) else {
                return .json(400, ["error": "bad_cursor", "detail": "after must be a cursor this feed returned"])
            }
            cursor = parsed
        }
        var count = Self.defaultLimit
        if let limit {
            guard let parsed = Int(limit), parsed >= 1 else {
                return .json(400, ["error": "bad_limit", "detail": "limit must be an integer from 1 to 1000"])
            }
            count = min(parsed, Self.maximumLimit)
        }
        let entries: [FeedEntry]
        do { entries = try await store.events(after: cursor, limit: count) } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return .storeUnavailable
        }
        var writer = JSONWriter(capacity: 64 + entries.reduce(0) { $0 + $1.event.count + 96 })
        writer.beginObject()
        writer.key("events")
        writer.beginArray()
        for entry in entries {
            writer.beginObject()
            writer.field("cursor", entry.cursor.description)
            writer.field("agent_id", entry.agentID)
            writer.field("batch_seq", entry.batchSeq)
            writer.key("event")
            writer.raw(entry.event)
            writer.endObject()
        }
        writer.endArray()
        writer.field("next_cursor", (entries.last?.cursor ?? cursor).description)
        writer.endObject()
        return ReceiverReply(status: 200, body: String(decoding: writer.bytes, as: UTF8.self))
    }

    /// `GET /v1/agents`.
    public func agents(now: Timestamp = .now()) async -> ReceiverReply {
        let summaries: [AgentSummary]
        do { summaries = try await store.agentSummaries() } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return .storeUnavailable
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("agents")
        writer.beginArray()
        for summary in summaries { summary.write(to: &writer, now: now) }
        writer.endArray()
        writer.endObject()
        return ReceiverReply(status: 200, body: String(decoding: writer.bytes, as: UTF8.self))
    }

    /// `GET /v1/agents/{agent_id}`.
    public func agent(_ agentID: String, now: Timestamp = .now()) async -> ReceiverReply {
        do {
            guard let summary = try await store.agentSummary(agentID) else {
                return .json(404, ["error": "unknown_agent"])
            }
            var writer = JSONWriter()
            summary.write(to: &writer, now: now)
            return ReceiverReply(status: 200, body: String(decoding: writer.bytes, as: UTF8.self))
        } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return .storeUnavailable
        }
    }
}

extension AgentSummary {
    /// `{"agent_id", "last_batch_seq", "last_event_seq", "last_occurred_at", "lag_seconds", "gaps"}`;
    /// `more` adds fields after those (the CLI adds the agent's keys).
    public func write(to writer: inout JSONWriter, now: Timestamp, more: (inout JSONWriter) -> Void = { _ in }) {
        writer.beginObject()
        writer.field("agent_id", agentID)
        writer.field("last_batch_seq", lastBatchSeq)
        writer.field("last_event_seq", lastEventSeq)
        writer.field("last_occurred_at", lastOccurredAt)
        writer.field("lag_seconds", lagSeconds(now: now))
        writer.key("gaps")
        writer.beginArray()
        for gap in gaps {
            writer.beginArray()
            for bound in gap { writer.integer(bound) }
            writer.endArray()
        }
        writer.endArray()
        more(&writer)
        writer.endObject()
    }
}
