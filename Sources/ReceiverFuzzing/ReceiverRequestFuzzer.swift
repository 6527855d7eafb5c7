import Foundation
import Logging
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire

/// What a client controls in a request to the receiver, fed to the receiver's own intake and
/// feed code over a real SQLite store. Shared by the libFuzzer target (FuzzReceiverRequest)
/// and the test that replays the committed corpus, so a reproducer kept in
/// Tests/Fuzz/Corpus/receiver is checked by `swift test` from then on.
///
/// Byte 0 chooses what the rest is:
/// - 0: a batch body, signed by a trusted key, so parsing and the chain checks are reached;
/// - 1: the `X-Signature` header for a fixed, well-formed body;
/// - 2: the feed's `after` and `limit` query values, split at the first 0x00;
/// - 3: events for a valid next batch of one of four agents (with the selector's high bit,
///   plus a key hand-over whose statement names another agent), then byte flips at offsets
///   the input gives, re-signed.
/// Invariants: no 5xx and a JSON object for anything a client sends; a 200 "accepted" only for
/// a body that parses, after which the store holds exactly its events more; an unmodified valid
/// next batch is accepted; a 200 feed page has a `next_cursor`.
public final class ReceiverRequestFuzzer: Sendable {

    let store: ReceiverStore
    let intake: BatchIntake
    let queries: ReceiverQueries
    let key = SigningKey()
    let nextKey = SigningKey()
    /// Seeds the fixed body of mode 1 and gives mode 3 its agents.
    let agents = ["fuzz-a", "fuzz-b", "fuzz-c", "fuzz-d"]

    /// `directory` holds the store; it is emptied first.
    public init(directory: String) throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try ReceiverStore(path: directory + "/receiver.sqlite")
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        intake = BatchIntake(store: store, trusted: TrustedKeys([key.publicJWK, nextKey.publicJWK]), logger: logger)
        queries = ReceiverQueries(store: store, logger: logger)
    }

    static let clientStatuses: Set<Int> = [200, 400, 401, 403, 409]

    /// Runs one input; returns the invariants it broke (empty when none).
    public func check(_ input: [UInt8]) async -> [String] {
        guard let mode = input.first else { return [] }
        let rest = Array(input.dropFirst())
        let violations = Violations()
        switch mode % 4 {
        case 0: await postSigned(body: rest, violations)
        case 1: await postSignature(rest, violations)
        case 2: await queryFeed(rest, violations)
        default: await postNextBatch(rest, violations)
        }
        return violations.list
    }

    /// Collects broken invariants.
    final class Violations: @unchecked Sendable {
        var list: [String] = []
        func require(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { list.append(message()) }
        }
    }

    func post(_ body: [UInt8], signature: String?, _ violations: Violations) async -> ReceiverReply {
        let reply = await intake.handle(body: body, signature: signature, idempotencyKey: nil)
        violations.require(Self.clientStatuses.contains(reply.status), "status \(reply.status) for a client's request")
        violations.require(reply.body.utf8.first == UInt8(ascii: "{"), "a reply that is not a JSON object")
        return reply
    }

    func postSigned(body: [UInt8], _ violations: Violations) async {
        guard let signature = try? DetachedJWS.sign(body, with: key) else { return }
        let agent = (try? WireBatch.parse(body))?.agentID
        let before = agent.flatMap { try? store.eventCount(agentID: $0) }
        let reply = await post(body, signature: signature, violations)
        if reply.body.contains("\"accepted\"") {
            guard let batch = try? WireBatch.parse(body) else {
                return violations.require(false, "accepted an unparsable body")
            }
            let after = try? store.eventCount(agentID: batch.agentID)
            violations.require(after == (before ?? 0) + batch.events.count, "accepted events not stored exactly once")
        }
    }

    func postSignature(_ bytes: [UInt8], _ violations: Violations) async {
        let body = BatchBody.build(
            agentID: "fuzz-signature", batchSeq: 1, previousSHA256: nil,
            createdAt: Timestamp(microsecondsSinceEpoch: 0),
            events: [])
        let reply = await post(body, signature: String(decoding: bytes, as: UTF8.self), violations)
        violations.require(reply.status != 200 || bytes.count > 40, "a short signature header was accepted")
    }

    func queryFeed(_ bytes: [UInt8], _ violations: Violations) async {
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let after = String(decoding: bytes[..<split], as: UTF8.self)
        let limit = split < bytes.endIndex ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : nil
        let reply = await queries.events(after: after, limit: limit)
        violations.require(reply.status == 200 || reply.status == 400, "feed status \(reply.status)")
        violations.require(
            reply.status != 200 || reply.body.contains("\"next_cursor\""), "a feed page without next_cursor")
    }

    /// A valid next batch for one agent, then the input's byte flips.
    func postNextBatch(_ bytes: [UInt8], _ violations: Violations) async {
        guard let selector = bytes.first else { return }
        let agent = agents[Int(selector) % agents.count]
        var reader = bytes.dropFirst()
        let eventCount = Int(reader.popFirst() ?? 0) % 4
        let flips = Int(reader.popFirst() ?? 0) % 4
        var flipAt: [(Int, UInt8)] = []
        for _ in 0..<flips {
            guard let high = reader.popFirst(), let low = reader.popFirst(), let value = reader.popFirst() else {
                break
            }
            flipAt.append((Int(high) << 8 | Int(low), value))
        }
        let text = String(decoding: reader, as: UTF8.self)
        let summary = try? await store.agentSummary(agent)
        let lastBatchSeq = summary?.lastBatchSeq ?? 0
        let last = try? await store.batches(agentID: agent, after: lastBatchSeq - 1, limit: 1).first
        let previous = last.map { BatchBody.sha256Hex($0.body) }
        var events: [[UInt8]] = []
        var seq = summary?.lastEventSeq ?? 0
        for index in 0..<eventCount {
            seq += 1
            var data = JSONWriter()
            data.beginObject()
            data.field("text", text)
            data.field("index", Int64(index))
            data.endObject()
            events.append(
                PendingEvent(
                    type: .barcodeScanned, occurredAt: Timestamp(microsecondsSinceEpoch: seq),
                    device: DeviceIdentity(id: "fuzz", transport: .serial), data: data.bytes, raw: Array(text.utf8)
                ).serialized(seq: seq))
        }
        // Keys never move here (a hand-over would retire the only key of the agent), but a
        // hand-over event with a broken statement exercises its checks.
        if selector & 0x80 != 0,
            let handover = try? KeyHandover.eventData(
                agentID: agent + "-not", old: key, new: nextKey, at: Timestamp(microsecondsSinceEpoch: 0))
        {
            seq += 1
            events.append(
                PendingEvent(
                    type: .agentKeyRotated, occurredAt: Timestamp(microsecondsSinceEpoch: seq),
                    device: DeviceIdentity(id: agent, transport: .agent), data: handover, raw: nil
                ).serialized(seq: seq))
        }
        var body = BatchBody.build(
            agentID: agent, batchSeq: lastBatchSeq + 1, previousSHA256: previous,
            createdAt: Timestamp(microsecondsSinceEpoch: 0), events: events)
        let pristine = body
        for (offset, value) in flipAt where !body.isEmpty { body[offset % body.count] ^= value | 1 }
        let before = (try? store.eventCount(agentID: agent)) ?? 0
        guard let signature = try? DetachedJWS.sign(body, with: key) else { return }
        let reply = await post(body, signature: signature, violations)
        if body == pristine && selector & 0x80 == 0 && !events.isEmpty {
            violations.require(reply.body.contains("\"accepted\""), "a valid next batch was refused: \(reply.body)")
        }
        if reply.body.contains("\"accepted\"") {
            guard let batch = try? WireBatch.parse(body) else {
                return violations.require(false, "accepted an unparsable body")
            }
            let after = (try? store.eventCount(agentID: batch.agentID)) ?? 0
            if batch.agentID == agent {
                violations.require(after == before + batch.events.count, "accepted events not stored exactly once")
            }
        }
    }
}
