import Foundation
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeTools
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

    @Test("`scanbridge status`, run beside the agent, says the upstream refused compression and what went instead")
    func statusShowsTheRefusal() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key, fallback: .unsupportedEncoding)
        let terminal = try TestSupport.terminal()
        let directory = TestSupport.temporaryDirectory("agent")
        let config = directory + "/scanbridge.yaml"
        try """
        state_dir: \(directory)/state
        signing_key: \(holder.directory)/key.jwk
        discovery: false
        status:
          listen: 127.0.0.1:\(try AgentBench.freePort())
        upstream:
          url: http://127.0.0.1:\(receiver.port)/v1/scan-batches
        devices:
          - {path: \(terminal.devicePath), id: pty, baud: 115200}

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: TestSupport.executable)
        agent.arguments = ["run", "--config", config]
        agent.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCANBRIDGE_") }
        agent.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        agent.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try agent.run()
        defer {
            agent.terminate()
            agent.waitUntilExit()
        }
        for number in 1...20 { try terminal.write(Array("SCAN-\(number)\r\n".utf8)) }
        let delivered = await TestSupport.eventually(seconds: 30) {
            receiver.requests.contains { $0.status == 200 }
        }
        let text = try await TestSupport.onThreadValue {
            Result { try AuditCommandTests.scanbridge(["status", "--config", config]) }
        }.get()
        let json = try await TestSupport.onThreadValue {
            Result { try AuditCommandTests.scanbridge(["status", "--config", config, "--json"]) }
        }.get()
        await receiver.stop()
        #expect(delivered)
        #expect(text.status == 0)
        #expect(text.output.contains("(running)"), "\(text.output)")
        #expect(text.output.contains("the upstream answered 415 to gzip"), "\(text.output)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], "\(json.output)")
        let upstream = (document["agent"] as? [String: Any])?["upstream"] as? [String: Any]
        #expect(upstream?["compression"] as? String == "none")
        #expect(upstream?["compression_refused"] as? Bool == true)
        #expect(document["backlog_events"] is NSNumber, "the database's figures are there too")
    }
}
