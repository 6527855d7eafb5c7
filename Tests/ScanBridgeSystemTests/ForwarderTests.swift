import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeStore
import ScanBridgeTools
import ScanBridgeUpstream
import ScanBridgeWire
import ServiceLifecycle
import Synchronization
import Testing

@testable import ScanBridgeTestSupport

@Suite("Forwarder against a misbehaving upstream", .system)
struct ForwarderTests {
    @Test("503s, a lost response and a Retry-After are ridden out; everything arrives once, in a verified chain")
    func ridesOutFailures() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(
            trusting: holder.key,
            script: [.status(503), .status(502), .storeThenFail, .status(500), .retryAfter(seconds: 1), .pass])
        let port = receiver.port
        let agent = try holder.agent(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        try agent.scan(300)
        let delivered = await TestSupport.eventually(seconds: 30) {
            agent.agent.counters.snapshot.acknowledged == 300
        }
        try await agent.stop()
        await receiver.stop()
        #expect(delivered)
        #expect(try receiver.store.eventCount(agentID: agent.agent.agentID) == 300)
        var audit = ChainAudit(trusted: TrustedKeys([holder.key.publicJWK]))
        for batch in try receiver.store.batches(agentID: agent.agent.agentID) {
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
        }
        #expect(audit.result.lastEventSeq == 300)
        let requests = receiver.requests
        let throttled = try #require(requests.firstIndex { $0.status == 429 })
        #expect(requests[throttled + 1].at - requests[throttled].at >= .milliseconds(950))
        #expect(agent.agent.counters.snapshot.retries >= 5)
    }

    @Test("an upstream slower than the timeout: the batch is resent byte-identical and acknowledged once, as a repeat")
    func slowUpstream() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(
            trusting: holder.key, script: [.slowerThan(milliseconds: 1000), .slowerThan(milliseconds: 1000)])
        let port = receiver.port
        let agent = try holder.agent(url: "http://127.0.0.1:\(port)/v1/scan-batches", timeoutMilliseconds: 1000)
        try agent.scan(60)
        let delivered = await TestSupport.eventually(seconds: 30) { agent.agent.counters.snapshot.acknowledged == 60 }
        try await agent.stop()
        await receiver.stop()
        #expect(delivered, "\(agent.agent.counters.snapshot)")
        #expect(try receiver.store.eventCount(agentID: agent.agent.agentID) == 60)
        #expect(agent.agent.counters.snapshot.retries >= 1)
        #expect(agent.agent.counters.snapshot.lastError == nil)
    }

    @Test("413 rebuilds the batch smaller under the same batch_seq until it fits")
    func shrinksOn413() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key, fallback: .tooLargeAbove(events: 7))
        let port = receiver.port
        let agent = try holder.agent(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        try agent.scan(100)
        let delivered = await TestSupport.eventually(seconds: 30) { agent.agent.counters.snapshot.acknowledged == 100 }
        try await agent.stop()
        await receiver.stop()
        #expect(delivered)
        let stored = try receiver.store.batches(agentID: agent.agent.agentID)
        #expect(stored.map(\.batchSeq) == Array(1...Int64(stored.count)))
        #expect(try stored.allSatisfy { try WireBatch.parse($0.body).events.count <= 7 })
    }

    @Test("413 while a backlog waits: the batches stored ahead are discarded unsent and the chain stays gapless")
    func shrinksOn413WithBatchesStoredAhead() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key, fallback: .tooLargeAbove(events: 20))
        let port = receiver.port
        let agent = try holder.agent(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        try agent.scan(400)
        let delivered = await TestSupport.eventually(seconds: 60) { agent.agent.counters.snapshot.acknowledged == 400 }
        try await agent.stop()
        await receiver.stop()
        #expect(delivered, "\(agent.agent.counters.snapshot)")
        #expect(try receiver.store.eventCount(agentID: agent.agent.agentID) == 400)
        var audit = ChainAudit(trusted: TrustedKeys([holder.key.publicJWK]))
        for batch in try receiver.store.batches(agentID: agent.agent.agentID) {
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
            #expect(try WireBatch.parse(batch.body).events.count <= 20)
        }
        #expect(audit.result.lastEventSeq == 400)
        #expect(receiver.requests.contains { $0.status == 413 })
    }

    @Test("an acknowledgement the state database refuses is retried with backoff and shown, never in a tight loop")
    func acknowledgementWriteFails() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let port = receiver.port
        let agent = try holder.agent(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        defer { agent.task.cancel() }
        try agent.scan(10)
        #expect(await TestSupport.eventually(seconds: 20) { agent.agent.counters.snapshot.acknowledged == 10 })
        // From another connection, as a read-only remount would: every acknowledgement write fails.
        let database = try DatabaseQueue(path: agent.agent.configuration.databasePath)
        try await database.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_acknowledgement BEFORE UPDATE OF status ON batches
                    WHEN NEW.status = 'acknowledged' BEGIN SELECT RAISE(ABORT, 'simulated I/O error'); END
                    """)
        }
        let before = receiver.requests.count
        try agent.scan(5, from: 10)
        let failing = await TestSupport.eventually(seconds: 20) {
            agent.agent.counters.snapshot.stateWriteFailures >= 1
        }
        #expect(failing)
        try await Task.sleep(for: .seconds(2))
        let during = receiver.requests.count - before
        // Backoff from 250 ms, capped at 400 ms here: a handful of requests; the old loop sent hundreds.
        #expect(during <= 20, "\(during) requests in about two seconds")
        #expect(agent.agent.counters.snapshot.lastError?.contains("cannot record the outcome of batch") == true)
        try await database.write { db in try db.execute(sql: "DROP TRIGGER refuse_acknowledgement") }
        let recovered = await TestSupport.eventually(seconds: 20) { agent.agent.counters.snapshot.acknowledged == 15 }
        try await agent.stop()
        await receiver.stop()
        #expect(recovered, "\(agent.agent.counters.snapshot)")
        #expect(try receiver.store.eventCount(agentID: agent.agent.agentID) == 15)
    }

    @Test("a 401 parks the batch, nothing is acknowledged, and status lists it")
    func parksOnRejection() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key, fallback: .status(401))
        let port = receiver.port
        let agent = try holder.agent(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        try agent.scan(5)
        let parked = await TestSupport.eventually(seconds: 10) { agent.agent.counters.snapshot.parked > 0 }
        try await Task.sleep(for: .milliseconds(300))
        try await agent.stop()
        await receiver.stop()
        #expect(parked)
        let status = try OutboxStatus.read(agent.agent.database)
        #expect(status.parked.map(\.batchSeq) == [1])
        #expect(status.parked.first?.error?.contains("401") == true)
        #expect(status.backlogEvents == 5)
        #expect(receiver.requests.count == 1)
    }
}
