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

/// A loopback receiver that misbehaves on cue before handing requests to the real intake.
final class FlakyReceiver: Sendable {
    enum Behavior: Sendable {
        case pass
        case status(Int)
        case retryAfter(seconds: Int)
        /// Stores the batch, then answers 503 as if the response were lost.
        case storeThenFail
        /// 413 whenever the body holds more than this many events.
        case tooLargeAbove(events: Int)
        /// Stores the batch, then answers only after the agent's timeout has passed.
        case slowerThan(milliseconds: Int)
        /// 200 with an HTML page, storing nothing: a captive portal or a misrouted proxy.
        case portal
        /// 413 to the first request whose body contains `text`, then as `.pass`.
        case tooLargeOnceContaining(String)
    }

    let store: ReceiverStore
    let intake: BatchIntake
    let script: Mutex<[Behavior]>
    let fallback: Mutex<Behavior>
    let requests = Mutex<[(at: ContinuousClock.Instant, status: Int)]>([])
    private let refusedOnce = Mutex(false)
    /// Stopped gracefully, never by cancelling its task (see ReceiverSwitch: NIO traps on a
    /// connection accepted as the serving task is cancelled, and agents keep connecting).
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)

    convenience init(trusting key: SigningKey, script: [Behavior], fallback: Behavior = .pass) throws {
        try self.init(trusting: [key], script: script, fallback: fallback)
    }

    init(trusting keys: [SigningKey], script: [Behavior], fallback: Behavior = .pass) throws {
        store = try ReceiverStore(path: TestSupport.temporaryDirectory("flaky") + "/receiver.sqlite")
        var logger = Logger(label: "flaky")
        logger.logLevel = .critical
        intake = BatchIntake(store: store, trusted: TrustedKeys(keys.map(\.publicJWK)), logger: logger)
        self.script = Mutex(script)
        self.fallback = Mutex(fallback)
    }

    func start() async throws -> Int {
        let router = Router()
        router.post("/v1/scan-batches") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let body = Array(buffer.readableBytesView)
            let fallback = self.fallback.withLock { $0 }
            let behavior = self.script.withLock { $0.isEmpty ? fallback : $0.removeFirst() }
            let reply: (Int, String, [String: String])
            let forward = {
                await self.intake.handle(
                    body: body, signature: request.headers[HTTPField.Name("Scanbridge-Signature")!],
                    idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
            }
            switch behavior {
            case .pass:
                let answer = await forward()
                reply = (answer.status, answer.body, [:])
            case .status(let code):
                reply = (code, #"{"error":"scripted"}"#, [:])
            case .retryAfter(let seconds):
                reply = (429, #"{"error":"slow down"}"#, ["Retry-After": "\(seconds)"])
            case .storeThenFail:
                _ = await forward()
                reply = (503, "", [:])
            case .slowerThan(let milliseconds):
                let answer = await forward()
                try await Task.sleep(for: .milliseconds(milliseconds + 500))
                reply = (answer.status, answer.body, [:])
            case .portal:
                reply = (200, "<html><body>Please accept the terms of use</body></html>", ["Content-Type": "text/html"])
            case .tooLargeOnceContaining(let text):
                let refuse =
                    String(decoding: body, as: UTF8.self).contains(text)
                    && self.refusedOnce.withLock { refused in
                        defer { refused = true }
                        return !refused
                    }
                if refuse {
                    reply = (413, "", [:])
                } else {
                    let answer = await forward()
                    reply = (answer.status, answer.body, [:])
                }
            case .tooLargeAbove(let limit):
                let events = try WireBatch.parse(body).events.count
                if events > limit {
                    reply = (413, "", [:])
                } else {
                    let answer = await forward()
                    reply = (answer.status, answer.body, [:])
                }
            }
            self.requests.withLock { $0.append((.now, reply.0)) }
            var headers: HTTPFields = [.contentType: "application/json"]
            for (name, value) in reply.2 { headers[HTTPField.Name(name)!] = value }
            return Response(
                status: .init(code: reply.0), headers: headers, body: .init(byteBuffer: ByteBuffer(string: reply.1)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "flaky-http")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [app], logger: logger)
        running.withLock { $0 = (group, Task { try await group.run() }) }
        for await port in stream { return port }
        return 0
    }

    func stop() async {
        guard let current = running.withLock({ $0 }) else { return }
        await current.group.triggerGracefulShutdown()
        _ = try? await current.task.value
    }
}

/// An in-process agent reading a pty and forwarding to `url`.
struct AgentUnderTest {
    let agent: Agent
    let terminal: PseudoTerminal
    let task: Task<Void, any Error>
    let key: SigningKey

    func scan(_ count: Int, from start: Int = 0) throws {
        var text = ""
        for index in start..<start + count {
            text += "]C101" + BarcodeSimulator.withCheckDigit(String(format: "%013d", index)) + "\r\n"
        }
        try terminal.write(Array(text.utf8))
    }

    func stop() async throws {
        task.cancel()
        try await task.value
    }
}

@Suite("Forwarder against a misbehaving upstream", .serialized)
struct ForwarderTests {
    @Test("503s, a lost response and a Retry-After are ridden out; everything arrives once, in a verified chain")
    func ridesOutFailures() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try FlakyReceiver(
            trusting: holder.key,
            script: [.status(503), .status(502), .storeThenFail, .status(500), .retryAfter(seconds: 1), .pass])
        let port = try await receiver.start()
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
        let requests = receiver.requests.withLock { $0 }
        let throttled = try #require(requests.firstIndex { $0.status == 429 })
        #expect(requests[throttled + 1].at - requests[throttled].at >= .milliseconds(950))
        #expect(agent.agent.counters.snapshot.retries >= 5)
    }

    @Test("an upstream slower than the timeout: the batch is resent byte-identical and acknowledged once, as a repeat")
    func slowUpstream() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try FlakyReceiver(
            trusting: holder.key, script: [.slowerThan(milliseconds: 1000), .slowerThan(milliseconds: 1000)])
        let port = try await receiver.start()
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
        let receiver = try FlakyReceiver(trusting: holder.key, script: [], fallback: .tooLargeAbove(events: 7))
        let port = try await receiver.start()
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
        let receiver = try FlakyReceiver(trusting: holder.key, script: [], fallback: .tooLargeAbove(events: 20))
        let port = try await receiver.start()
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
        #expect(receiver.requests.withLock { $0 }.contains { $0.status == 413 })
    }

    @Test("an acknowledgement the state database refuses is retried with backoff and shown, never in a tight loop")
    func acknowledgementWriteFails() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try FlakyReceiver(trusting: holder.key, script: [])
        let port = try await receiver.start()
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
        let before = receiver.requests.withLock { $0.count }
        try agent.scan(5, from: 10)
        let failing = await TestSupport.eventually(seconds: 20) {
            agent.agent.counters.snapshot.stateWriteFailures >= 1
        }
        #expect(failing)
        try await Task.sleep(for: .seconds(2))
        let during = receiver.requests.withLock { $0.count } - before
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
        let receiver = try FlakyReceiver(trusting: holder.key, script: [], fallback: .status(401))
        let port = try await receiver.start()
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
        #expect(receiver.requests.withLock { $0.count } == 1)
    }
}

/// Creates the agent's key first, so the receiver can trust it before the agent starts.
struct AgentKeyHolder {
    let directory = TestSupport.temporaryDirectory("holder")
    let key = SigningKey()

    init() throws {
        try key.write(to: directory + "/key.jwk")
    }

    func agent(url: String, timeoutMilliseconds: Int = 3000) throws -> AgentUnderTest {
        try AgentUnderTest(url: url, keyPath: directory + "/key.jwk", timeoutMilliseconds: timeoutMilliseconds)
    }
}

extension AgentUnderTest {
    init(url: String, keyPath: String, timeoutMilliseconds: Int = 3000) throws {
        let directory = TestSupport.temporaryDirectory("agent")
        key = try SigningKey.load(path: keyPath)
        terminal = try PseudoTerminal()
        var configuration = AgentConfiguration(stateDirectory: directory, signingKeyPath: keyPath)
        var upstream = AgentConfiguration.Upstream(url: url)
        upstream.batchLimits = .init(maxEvents: 50, maxBytes: 256 * 1024, maxAgeMilliseconds: 50)
        upstream.retryCapMilliseconds = 400
        upstream.timeoutMilliseconds = timeoutMilliseconds
        configuration.upstream = upstream
        configuration.devices = [.init(path: terminal.devicePath, baud: 115_200, id: "pty")]
        var logger = Logger(label: "agent")
        logger.logLevel = .critical
        agent = try Agent(configuration: configuration, logger: logger)
        let agent = self.agent
        task = Task { try await agent.run() }
    }
}
