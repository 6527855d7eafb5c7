import Foundation
import Logging
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// A receiver follows an agent's signed key hand-over (`keygen --rotate`) with no manual
/// enrolment, and from then on refuses the old key for anything after the hand-over: the
/// usual reason to rotate is that the old key may have leaked.
@Suite("Receiver and key hand-overs", .temporaryDirectory)
struct ReceiverHandoverTests {
    @Test(
        "SQLite: the hand-over enrols the new key, retires the old one after its batch, and bad hand-overs store nothing"
    )
    func sqlite() async throws {
        try await Self.check(.sqlite, enrolled: true)
        try await Self.check(.sqlite, enrolled: false)
    }

    @Test(
        "PostgreSQL: the hand-over enrols the new key, retires the old one after its batch, and bad hand-overs store nothing",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func postgres() async throws {
        try await Self.check(.postgres, enrolled: true)
        try await Self.check(.postgres, enrolled: false)
    }

    /// `enrolled`: the old key is enrolled in the store; otherwise it is trusted by `--trust`
    /// file only (the embedded receiver), and the hand-over still binds both keys to the agent.
    static func check(_ backend: StoreBackend, enrolled: Bool) async throws {
        let store = try await backend.open(try await backend.freshStore())
        let old = SigningKey()
        let new = SigningKey()
        let stranger = SigningKey()
        if enrolled { _ = try await store.enrol([old.publicJWK], agentID: "agent-h") }
        _ = try await store.enrol([stranger.publicJWK], agentID: "agent-other")
        let intake = BatchIntake(
            store: store, trusted: TrustedKeys(enrolled ? [] : [old.publicJWK]), logger: StoreBackend.quietLogger)
        func post(_ batch: (body: [UInt8], jws: String)) async -> ReceiverReply {
            await intake.handle(body: batch.body, signature: batch.jws, idempotencyKey: nil)
        }

        var chain = BatchFactory(key: old, agentID: "agent-h")
        #expect(await post(try chain.next(chain.scans(3), signedBy: old)).status == 200)

        // A hand-over whose new-key signature is not the new key's: refused, nothing stored.
        var forged = chain
        var events = forged.scans(1)
        var handoverData = try KeyHandover.eventData(agentID: "agent-h", old: old, new: new, at: .now())
        let otherSignature = try KeyHandover.eventData(agentID: "agent-h", old: old, new: stranger, at: .now())
        handoverData = Self.replacingSignatureNew(in: handoverData, from: otherSignature)
        events.append(
            PendingEvent(
                type: .agentKeyRotated, occurredAt: .now(), device: DeviceIdentity(id: "agent-h", transport: .agent),
                data: handoverData, raw: nil
            ).serialized(seq: forged.nextSeq))
        let badHandover = await post(try forged.next(events, signedBy: old))
        #expect(badHandover.status == 400 && badHandover.body.contains("malformed"))
        #expect(try await store.agentSummary("agent-h")?.lastBatchSeq == 1)

        // A hand-over to a key enrolled to another agent: 403, nothing stored.
        var hijack = chain
        let toStranger = await post(
            try hijack.next(hijack.scans(1) + [try hijack.handover(from: old, to: stranger)], signedBy: old))
        #expect(toStranger == ReceiverReply(status: 403, body: #"{"error":"wrong_agent"}"#))
        #expect(try await store.agentSummary("agent-h")?.lastBatchSeq == 1)

        // The real hand-over, last event of batch 2, signed by the old key.
        let handover = try chain.next(chain.scans(2) + [try chain.handover(from: old, to: new)], signedBy: old)
        #expect(await post(handover) == ReceiverReply(status: 200, body: #"{"status":"accepted","batch_seq":2}"#))
        let retired = try #require(try await store.enrolledKey(kid: old.kid))
        #expect(retired.agentID == "agent-h" && retired.retiredAfterBatchSeq == 2 && retired.replacedBy == new.kid)
        #expect(try await store.enrolledKey(kid: new.kid)?.agentID == "agent-h")

        // The old key may no longer extend the chain; the new one does; repeats still answer 2xx.
        var stolen = chain
        let forgedNext = await post(try stolen.next(stolen.scans(1), signedBy: old))
        #expect(forgedNext == ReceiverReply(status: 401, body: #"{"error":"unknown_key"}"#))
        let third = try chain.next(chain.scans(2), signedBy: new)
        #expect(await post(third) == ReceiverReply(status: 200, body: #"{"status":"accepted","batch_seq":3}"#))
        #expect(await post(handover) == ReceiverReply(status: 200, body: #"{"status":"repeat","batch_seq":2}"#))
        #expect(await post(third) == ReceiverReply(status: 200, body: #"{"status":"repeat","batch_seq":3}"#))
        #expect(await post(try stolen.next(stolen.scans(1), signedBy: old)).status == 401)

        // The stored chain verifies from the old key alone, following the hand-over.
        var audit = ChainAudit(trusted: TrustedKeys([old.publicJWK]), agentID: "agent-h")
        for batch in try await store.batches(agentID: "agent-h", after: 0, limit: 100) {
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
        }
        #expect(audit.result.lastBatchSeq == 3 && audit.result.events == 8)
        #expect(try await store.agentSummary("agent-h")?.lastEventSeq == 8)
        await store.close()
    }

    @Test("verify refuses a batch the old key signed after its hand-over, even with both keys trusted")
    func auditRefusesRetiredKey() throws {
        let old = SigningKey()
        let new = SigningKey()
        var chain = BatchFactory(key: old, agentID: "agent-h")
        let first = try chain.next(chain.scans(1) + [try chain.handover(from: old, to: new)], signedBy: old)
        let second = try chain.next(chain.scans(1), signedBy: old)
        var audit = ChainAudit(trusted: TrustedKeys([old.publicJWK, new.publicJWK]))
        try audit.append(body: first.body, signature: first.jws, label: 1)
        #expect {
            try audit.append(body: second.body, signature: second.jws, label: 2)
        } throws: { error in
            (error as? ChainAudit.Failure)?.description.contains("retired") == true
        }
    }

    /// The hand-over data with `signature_new` taken from another hand-over.
    static func replacingSignatureNew(in data: [UInt8], from other: [UInt8]) -> [UInt8] {
        guard var object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
            let otherObject = try? JSONSerialization.jsonObject(with: Data(other)) as? [String: Any]
        else { return data }
        object["signature_new"] = otherObject["signature_new"]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(data))
    }
}

extension BatchFactory {
    /// The next event: `old`'s hand-over to `new`, as the agent commits it.
    mutating func handover(from old: SigningKey, to new: SigningKey) throws -> [UInt8] {
        defer { nextSeq += 1 }
        let data = try KeyHandover.eventData(agentID: agentID, old: old, new: new, at: .now())
        return PendingEvent(
            type: .agentKeyRotated, occurredAt: .now(), device: DeviceIdentity(id: agentID, transport: .agent),
            data: data, raw: nil
        ).serialized(seq: nextSeq)
    }
}
