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
