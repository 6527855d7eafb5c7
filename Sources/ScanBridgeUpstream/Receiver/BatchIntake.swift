import Logging
import ScanBridgeCore

/// The receiver's decision for one posted batch, independent of the HTTP server.
///
/// Order of checks: signature first (nothing unauthenticated touches the store), then the
/// body's shape, then the chain in the store's transaction.
public struct BatchIntake: Sendable {
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var body: String

        public init(status: Int, body: String) {
            self.status = status
            self.body = body
        }
    }

    public let store: ReceiverStore
    public let trusted: TrustedKeys
    public let logger: Logger

    public init(store: ReceiverStore, trusted: TrustedKeys, logger: Logger) {
        self.store = store
        self.trusted = trusted
        self.logger = logger
    }

    public func handle(body: [UInt8], signature: String?, idempotencyKey: String?) -> Reply {
        guard let signature else {
            return reply(401, ["error": "bad_signature", "detail": "Scanbridge-Signature header missing"])
        }
        let kid: String
        do {
            kid = try DetachedJWS.verify(signature, body: body, trusted: trusted)
        } catch .unknownKey(let unknown) {
            logger.warning("rejected batch signed by unknown key", metadata: ["kid": "\(unknown)"])
            return reply(401, ["error": "unknown_key", "detail": "kid \(unknown) is not trusted"])
        } catch {
            logger.warning("rejected batch with bad signature", metadata: ["reason": "\(error)"])
            return reply(401, ["error": "bad_signature", "detail": error.description])
        }
        let batch: WireBatch
        do { batch = try WireBatch.parse(body) } catch {
            logger.warning("rejected malformed batch", metadata: ["reason": "\(error.reason)"])
            return reply(400, ["error": "malformed", "detail": error.reason])
        }
        if let idempotencyKey, idempotencyKey != "\(batch.agentID)/\(batch.batchSeq)" {
            return reply(400, ["error": "malformed", "detail": "Idempotency-Key does not match agent_id/batch_seq"])
        }
        let acceptance: ReceiverStore.Acceptance
        do {
            acceptance = try store.accept(batch, body: body, signature: signature, kid: kid)
        } catch {
            logger.error("receiver store failed", metadata: ["error": "\(error)"])
            return reply(503, ["error": "store_unavailable"])
        }
        let metadata: Logger.Metadata = ["agent": "\(batch.agentID)", "batch_seq": "\(batch.batchSeq)"]
        switch acceptance {
        case .accepted:
            logger.info("accepted batch", metadata: metadata.merging(["events": "\(batch.events.count)"]) { $1 })
            return reply(200, ["status": "accepted", "batch_seq": batch.batchSeq])
        case .repeated:
            logger.info("repeat of an accepted batch", metadata: metadata)
            return reply(200, ["status": "repeat", "batch_seq": batch.batchSeq])
        case .conflict(let expected):
            logger.warning("conflicting batch: same batch_seq, other bytes", metadata: metadata)
            return reply(409, ["error": "conflict", "expected_batch_seq": expected])
        case .outOfOrder(let expected):
            logger.warning("batch out of order", metadata: metadata.merging(["expected": "\(expected)"]) { $1 })
            return reply(409, ["error": "out_of_order", "expected_batch_seq": expected])
        case .chainBroken(let expected, let reason):
            logger.warning("batch breaks the chain", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            return reply(409, ["error": "chain_broken", "expected_batch_seq": expected, "detail": reason])
        }
    }

    public func agentReply(_ agentID: String) -> Reply {
        do {
            guard let summary = try store.agent(agentID) else {
                return reply(404, ["error": "unknown_agent"])
            }
            var writer = JSONWriter()
            summary.write(to: &writer, now: .now())
            return Reply(status: 200, body: String(decoding: writer.bytes, as: UTF8.self))
        } catch {
            return reply(503, ["error": "store_unavailable"])
        }
    }

    private func reply(_ status: Int, _ fields: KeyValuePairs<String, any Sendable>) -> Reply {
        var writer = JSONWriter()
        writer.beginObject()
        for (key, value) in fields {
            writer.key(key)
            switch value {
            case let number as Int64: writer.integer(number)
            case let text as String: writer.string(text)
            default: writer.string("\(value)")
            }
        }
        writer.endObject()
        return Reply(status: status, body: String(decoding: writer.bytes, as: UTF8.self))
    }
}

extension ReceiverStore.AgentSummary {
    public func write(to writer: inout JSONWriter, now: Timestamp) {
        writer.beginObject()
        writer.field("agent_id", agentID)
        writer.field("last_batch_seq", lastBatchSeq)
        writer.field("last_event_seq", lastEventSeq)
        writer.field("last_occurred_at", lastOccurredAt)
        writer.key("lag_seconds")
        if let lastOccurredAt, let time = Timestamp(iso8601: lastOccurredAt) {
            writer.integer(max(0, (now.microsecondsSinceEpoch - time.microsecondsSinceEpoch) / 1_000_000))
        } else {
            writer.null()
        }
        writer.key("gaps")
        writer.beginArray()
        for gap in gaps {
            writer.beginArray()
            for bound in gap { writer.integer(bound) }
            writer.endArray()
        }
        writer.endArray()
        writer.endObject()
    }
}
