import Foundation
import ScanBridgeCore

/// A batch body as read back from the wire, with each event's exact bytes.
public struct WireBatch: Sendable {
    public struct Event: Sendable {
        public var id: String
        public var seq: Int64
        public var type: String
        public var occurredAt: String
        public var bytes: [UInt8]
    }

    public var agentID: String
    public var batchSeq: Int64
    public var previousSHA256: String?
    public var createdAt: String
    public var events: [Event]

    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public static func parse(_ body: [UInt8]) throws(Malformed) -> WireBatch {
        let ranges: [Range<Int>]
        do {
            guard let found = try JSONSpans.arrayElements(ofKey: "events", in: body) else {
                throw Malformed(reason: "events is missing or not an array")
            }
            ranges = found
        } catch let failure as JSONSpans.Failure {
            throw Malformed(reason: failure.description)
        } catch {
            throw error as! Malformed
        }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, context) {
            throw Malformed(reason: "\(path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw Malformed(reason: "\(path(context.codingPath)) has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Malformed(reason: "\(path(context.codingPath)) is null")
        } catch let DecodingError.dataCorrupted(context) {
            throw Malformed(reason: "\(path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw Malformed(reason: "body is not a batch: \(error)")
        }
        guard !envelope.agent_id.isEmpty else { throw Malformed(reason: "agent_id must not be empty") }
        guard envelope.batch_seq >= 1 else { throw Malformed(reason: "batch_seq must be ≥ 1") }
        if let previous = envelope.prev_sha256, previous.utf8.count != 64 || Hex.decode(previous) == nil {
            throw Malformed(reason: "prev_sha256 must be null or 64 hex digits")
        }
        guard Timestamp(iso8601: envelope.created_at) != nil else {
            throw Malformed(reason: "created_at must be an RFC 3339 UTC timestamp")
        }
        guard envelope.events.count == ranges.count else { throw Malformed(reason: "events must be an array") }
        var parsed: [Event] = []
        parsed.reserveCapacity(ranges.count)
        for (index, event) in envelope.events.enumerated() {
            guard event.seq >= 1, Timestamp(iso8601: event.occurred_at) != nil else {
                throw Malformed(reason: "events[\(index)] needs seq ≥ 1 and occurred_at as an RFC 3339 UTC timestamp")
            }
            parsed.append(
                Event(
                    id: event.id, seq: event.seq, type: event.type, occurredAt: event.occurred_at,
                    bytes: Array(body[ranges[index]])))
        }
        return WireBatch(
            agentID: envelope.agent_id, batchSeq: envelope.batch_seq,
            previousSHA256: envelope.prev_sha256?.lowercased(),
            createdAt: envelope.created_at, events: parsed)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
    }

    private struct Envelope: Decodable {
        var agent_id: String
        var batch_seq: Int64
        var prev_sha256: String?
        var created_at: String
        var events: [EventHead]

        enum CodingKeys: String, CodingKey {
            case agent_id, batch_seq, prev_sha256, created_at, events
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            agent_id = try container.decode(String.self, forKey: .agent_id)
            batch_seq = try container.decode(Int64.self, forKey: .batch_seq)
            guard container.contains(.prev_sha256) else {
                throw DecodingError.keyNotFound(
                    CodingKeys.prev_sha256, .init(codingPath: [], debugDescription: "prev_sha256 is required"))
            }
            prev_sha256 =
                try container.decodeNil(forKey: .prev_sha256)
                ? nil : try container.decode(String.self, forKey: .prev_sha256)
            created_at = try container.decode(String.self, forKey: .created_at)
            events = try container.decode([EventHead].self, forKey: .events)
        }
    }

    private struct EventHead: Decodable {
        var id: String
        var seq: Int64
        var type: String
        var occurred_at: String
        var device: AnyJSONObject
        var data: AnyJSONObject
    }

    /// Accepts any JSON object and keeps nothing: the exact bytes are kept from the spans.
    private struct AnyJSONObject: Decodable {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            _ = try decoder.container(keyedBy: Key.self)
        }
    }
}
