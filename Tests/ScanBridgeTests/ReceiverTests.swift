import Foundation
import Logging
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

@Suite("Reference receiver", .temporaryDirectory)
struct ReceiverTests {
    let key = SigningKey()
    let intake: BatchIntake
    let store: ReceiverStore

    init() throws {
        store = try ReceiverStore(path: TestSupport.temporaryDirectory("receiver") + "/receiver.sqlite")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        intake = BatchIntake(store: store, trusted: TrustedKeys([key.publicJWK]), logger: logger)
    }

    func post(_ batch: (body: [UInt8], jws: String), key: String? = nil) async -> BatchIntake.Reply {
        await intake.handle(body: batch.body, signature: batch.jws, idempotencyKey: key)
    }

    @Test("accepts a chain, answers a repeat with 2xx and stores each event once")
    func acceptsAndRepeats() async throws {
        var factory = BatchFactory(key: key)
        let first = try factory.next(events: 3)
        let second = try factory.next(events: 2)
        #expect(
            await post(first, key: "agent-test/1") == .init(status: 200, body: #"{"status":"accepted","batch_seq":1}"#))
        #expect(await post(second).status == 200)
        #expect(await post(first) == .init(status: 200, body: #"{"status":"repeat","batch_seq":1}"#))
        #expect(try store.eventCount(agentID: "agent-test") == 5)
        let summary = try #require(try store.agent("agent-test"))
        #expect(summary.lastBatchSeq == 2 && summary.lastEventSeq == 5 && summary.gaps.isEmpty)
    }

    @Test("a batch signed by an unknown key is refused with 401 unknown_key")
    func wrongKey() async throws {
        var factory = BatchFactory(key: SigningKey())
        let reply = await post(try factory.next(events: 1))
        #expect(reply.status == 401)
        #expect(reply.body.contains("unknown_key"))
        #expect(try store.eventCount(agentID: "agent-test") == 0)
    }

    @Test("a tampered body is refused with 401 bad_signature")
    func tampered() async throws {
        var factory = BatchFactory(key: key)
        var batch = try factory.next(events: 2)
        let text = String(decoding: batch.body, as: UTF8.self).replacingOccurrences(of: "\"seq\":2", with: "\"seq\":3")
        batch.body = Array(text.utf8)
        let reply = await post(batch)
        #expect(reply.status == 401)
        #expect(reply.body.contains("bad_signature"))
        #expect(await post((batch.body, "not.a-jws")).status == 401)
        #expect(await intake.handle(body: batch.body, signature: nil, idempotencyKey: nil).status == 401)
        // Parsed while the signature is checked, a body that is not even JSON still answers
        // as unsigned: whoever cannot sign learns nothing about what the receiver would parse.
        let truncated = (Array(batch.body.prefix(40)), try factory.next(events: 1).jws)
        let refused = await post(truncated)
        #expect(refused.status == 401 && refused.body.contains("bad_signature"))
    }

    @Test("a broken chain, a gap and a conflicting batch are refused with 409 and the expected batch_seq")
    func brokenChain() async throws {
        var factory = BatchFactory(key: key)
        #expect(await post(try factory.next(events: 2)).status == 200)
        var forked = factory
        forked.previous = String(repeating: "0", count: 64)
        let broken = await post(try forked.next(events: 1))
        #expect(broken.status == 409)
        #expect(broken.body.contains(#""error":"chain_broken""#) && broken.body.contains(#""expected_batch_seq":2"#))

        var skipping = factory
        skipping.nextSeq += 1
        #expect(await post(try skipping.next(events: 1)).body.contains("chain_broken"))

        var ahead = factory
        _ = try ahead.next(events: 1)
        let outOfOrder = await post(try ahead.next(events: 1))
        #expect(outOfOrder.status == 409 && outOfOrder.body.contains("out_of_order"))

        var other = BatchFactory(key: key)
        let conflict = await post(try other.next(events: 1))
        #expect(conflict.status == 409 && conflict.body.contains(#""error":"conflict""#))
        #expect(try store.eventCount(agentID: "agent-test") == 2)
    }

    @Test("malformed bodies answer 400 and name the problem; a wrong Idempotency-Key too")
    func malformed() async throws {
        let body = Array(#"{"agent_id":"a","batch_seq":1,"created_at":"2026-01-01T00:00:00Z","events":[]}"#.utf8)
        let reply = await intake.handle(
            body: body, signature: try DetachedJWS.sign(body, with: key), idempotencyKey: nil)
        #expect(reply.status == 400 && reply.body.contains("prev_sha256"))
        var factory = BatchFactory(key: key)
        #expect(await post(try factory.next(events: 1), key: "agent-test/7").status == 400)
    }

    @Test("the chain audit names the first bad batch")
    func audit() async throws {
        var factory = BatchFactory(key: key)
        let batches = try (0..<3).map { _ in try factory.next(events: 2) }
        var audit = ChainAudit(trusted: TrustedKeys([key.publicJWK]))
        for (index, batch) in batches.enumerated() {
            try audit.append(body: batch.body, signature: batch.jws, label: Int64(index + 1))
        }
        #expect(audit.result.events == 6 && audit.result.lastBatchSeq == 3)
        var broken = ChainAudit(trusted: TrustedKeys([key.publicJWK]))
        try broken.append(body: batches[0].body, signature: batches[0].jws, label: 1)
        do {
            try broken.append(body: batches[2].body, signature: batches[2].jws, label: 3)
            Issue.record("a missing batch went unnoticed")
        } catch {
            #expect(error.description.hasPrefix("batch 3:"))
        }
    }
}
