import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeUpstream
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

@Suite("Compressed batches upstream", .system)
struct CompressionFallbackTests {
    @Test(
        "each coding goes with its Content-Encoding and arrives as signed, in a verified chain",
        arguments: [ContentCoding.gzip, .zstd])
    func compressed(coding: ContentCoding) async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let agent = try holder.agent(url: "http://127.0.0.1:\(receiver.port)/v1/scan-batches", compression: coding)
        try agent.scan(150)
        let delivered = await TestSupport.eventually(seconds: 30) { agent.agent.counters.snapshot.acknowledged == 150 }
        let traffic = agent.agent.counters.snapshot.upstream
        try await agent.stop()
        await receiver.stop()
        #expect(delivered)
        #expect(receiver.requests.allSatisfy { $0.encoding == coding.rawValue })
        var audit = ChainAudit(trusted: TrustedKeys([holder.key.publicJWK]))
        for batch in try receiver.store.batches(agentID: agent.agent.agentID) {
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
        }
        #expect(audit.result.lastEventSeq == 150)
        let sent = try #require(traffic)
        #expect(sent.inUse == coding && !sent.refused)
        #expect(sent.sentBytes * 2 < sent.bodyBytes, "\(sent)")
    }

    @Test("an upstream that answers 415 gets the batch again uncompressed at once, and every later batch too")
    func fallsBackOn415() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key, fallback: .unsupportedEncoding)
        let agent = try holder.agent(url: "http://127.0.0.1:\(receiver.port)/v1/scan-batches")
        try agent.scan(40)
        let first = await TestSupport.eventually(seconds: 30) { agent.agent.counters.snapshot.acknowledged == 40 }
        try agent.scan(60)
        let all = await TestSupport.eventually(seconds: 30) { agent.agent.counters.snapshot.acknowledged == 100 }
        let snapshot = agent.agent.counters.snapshot
        try await agent.stop()
        await receiver.stop()
        #expect(first && all, "\(snapshot)")
        let requests = receiver.requests
        // One refusal, then the same batch uncompressed without waiting for a backoff.
        #expect(requests.filter { $0.status == 415 }.count == 1)
        #expect(requests.first?.encoding == "gzip")
        #expect(requests.dropFirst().allSatisfy { $0.encoding == nil && $0.status == 200 })
        #expect(snapshot.retries == 0, "a 415 is not a failed upload")
        #expect(snapshot.upstream?.refused == true)
        #expect(snapshot.upstream?.inUse == nil)
        #expect(try receiver.store.eventCount(agentID: agent.agent.agentID) == 100)
    }
}
