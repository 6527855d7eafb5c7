import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ScanBridgeReceiver
import ScanBridgeWire
import ServiceLifecycle
import Synchronization

/// The receiver as the tests run it: the real ``ReceiverServer`` application on a loopback
/// port, so every test goes through the production routes (admission before the body, the size
/// limit, the feed, the consumers), with ``ScriptedFaults`` in front of `POST /v1/scan-batches`
/// to misbehave on cue and log every answer.
///
/// `Store` is the store as the test inspects it: `ReceiverStore` for the SQLite store a
/// receiver of `start(trusting:…)` makes for itself, `any ReceiverStorage` for one the test
/// opened (`start(store:…)`, `serving`).
///
/// Stopped gracefully, never by cancelling its task: a connection accepted just as the task is
/// cancelled is never served or closed, and NIO traps on it (apple/swift-nio #3481); agents keep
/// connecting all the while.
final class TestReceiver<Store: Sendable>: Sendable {
    typealias Behavior = ScriptedFaults.Behavior

    let store: Store
    let intake: BatchIntake
    let faults: ScriptedFaults
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }

    /// Every answer to a posted batch so far, in order, with when it went out.
    var requests: [ScriptedFaults.Answer] { faults.answers.withLock { $0 } }

    /// What each request gets once the script is used up; a test may change it mid-run.
    var fallback: Behavior {
        get { faults.fallback.withLock { $0 } }
        set { faults.fallback.withLock { $0 = newValue } }
    }

    private init(
        store: Store, intake: BatchIntake, faults: ScriptedFaults, port: Int, group: ServiceGroup,
        task: Task<Void, any Error>
    ) {
        self.store = store
        self.intake = intake
        self.faults = faults
        self.port = port
        self.group = group
        self.task = task
    }

    /// Serves `storage` (`store`, as the intake takes it) and returns once the port is bound;
    /// without `maximumBodyBytes`, the server's default limit.
    fileprivate static func start(
        store: Store, storage: any ReceiverStorage, trusted: TrustedKeys, maximumBodyBytes: Int?,
        script: [Behavior], fallback: Behavior
    ) async throws -> TestReceiver {
        let intake = BatchIntake(
            store: storage, trusted: trusted, logger: StoreBackend.quietLogger, metrics: ReceiverMetrics())
        let server =
            maximumBodyBytes.map { ReceiverServer(intake: intake, host: "127.0.0.1", port: 0, maximumBodyBytes: $0) }
            ?? ReceiverServer(intake: intake, host: "127.0.0.1", port: 0)
        let faults = ScriptedFaults(script: script, fallback: fallback, maximumBodyBytes: server.maximumBodyBytes)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = server.application(batchMiddleware: faults) { continuation.yield($0) }
        let group = ServiceGroup(services: [app], logger: StoreBackend.quietLogger)
        let task = Task {
            // A server that ends before it listens ends the wait below too.
            defer { continuation.finish() }
            try await group.run()
        }
        for await port in stream {
            return TestReceiver(store: store, intake: intake, faults: faults, port: port, group: group, task: task)
        }
        // No port: the server failed (its error says why) or this task was cancelled; either
        // way nothing is left running.
        await group.triggerGracefulShutdown()
        try await task.value
        throw CancellationError()
    }

    /// Closes the listener and lets requests in flight finish; the store stays open for the
    /// assertions that follow.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

extension TestReceiver where Store == ReceiverStore {
    /// A receiver of a SQLite store of its own, in the test's directory, trusting `keys`: each
    /// posted batch meets the next behaviour of `script`, then `fallback`.
    static func start(
        trusting keys: [SigningKey], maximumBodyBytes: Int? = nil, script: [Behavior] = [],
        fallback: Behavior = .pass
    ) async throws -> TestReceiver {
        let store = try ReceiverStore(path: TestSupport.temporaryDirectory("receiver") + "/receiver.sqlite")
        return try await start(
            store: store, storage: store, trusted: TrustedKeys(keys.map(\.publicJWK)),
            maximumBodyBytes: maximumBodyBytes, script: script, fallback: fallback)
    }

    static func start(
        trusting key: SigningKey, maximumBodyBytes: Int? = nil, script: [Behavior] = [], fallback: Behavior = .pass
    ) async throws -> TestReceiver {
        try await start(trusting: [key], maximumBodyBytes: maximumBodyBytes, script: script, fallback: fallback)
    }
}

extension TestReceiver where Store == any ReceiverStorage {
    /// A receiver of `store`, which the caller closes; without `maximumBodyBytes`, the server's
    /// default limit.
    static func start(
        store: any ReceiverStorage, trusted: TrustedKeys = TrustedKeys(),
        maximumBodyBytes: Int? = nil, script: [Behavior] = [], fallback: Behavior = .pass
    ) async throws -> TestReceiver {
        try await start(
            store: store, storage: store, trusted: trusted, maximumBodyBytes: maximumBodyBytes, script: script,
            fallback: fallback)
    }

    /// Runs `body` with a receiver of `store` (also trusting `trusted`, as `--trust` files) and a
    /// client, then stops both and closes the store, whichever way `body` ends.
    static func serving<T>(
        _ store: any ReceiverStorage, trusted: TrustedKeys = TrustedKeys(),
        _ body: (TestReceiver, ReceiverHTTP) async throws -> T
    ) async throws -> T {
        let receiver: TestReceiver
        do { receiver = try await start(store: store, trusted: trusted) } catch {
            await store.close()
            throw error
        }
        let http = ReceiverHTTP()
        let result: Result<T, any Error>
        do { result = .success(try await body(receiver, http)) } catch { result = .failure(error) }
        await http.shutdown()
        await receiver.stop()
        await store.close()
        return try result.get()
    }
}

/// Misbehaviour on cue in front of `POST /v1/scan-batches`: each request meets the next
/// behaviour of the script, then the fallback, and every answer is logged with its time. A
/// request that meets `.pass` reaches the server untouched, its body unread.
final class ScriptedFaults: RouterMiddleware {
    typealias Context = ReceiverRequestContext

    enum Behavior: Sendable {
        case pass
        /// This status, the body read and dropped.
        case status(Int)
        /// 429 with `Retry-After`.
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
        /// 415 to a body with a `Content-Encoding`, as an upstream that reads none; else `.pass`.
        case unsupportedEncoding
    }

    struct Answer: Sendable {
        let at: ContinuousClock.Instant
        let status: Int
        /// The request's `Content-Encoding`.
        let encoding: String?
    }

    let script: Mutex<[Behavior]>
    let fallback: Mutex<Behavior>
    let answers = Mutex<[Answer]>([])
    private let refusedOnce = Mutex(false)
    /// The most a behaviour that looks at the body reads: the server's own limit.
    private let maximumBodyBytes: Int

    init(script: [Behavior], fallback: Behavior, maximumBodyBytes: Int) {
        self.script = Mutex(script)
        self.fallback = Mutex(fallback)
        self.maximumBodyBytes = maximumBodyBytes
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let behavior = script.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? fallback.withLock { $0 }
        let response = try await respond(to: request, context: context, as: behavior, next: next)
        let encoding = request.headers[.contentEncoding]
        answers.withLock { $0.append(Answer(at: .now, status: Int(response.status.code), encoding: encoding)) }
        return response
    }

    private func respond(
        to request: Request, context: Context, as behavior: Behavior,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        switch behavior {
        case .pass:
            return try await next(request, context)
        case .status(let code):
            _ = try await request.body.collect(upTo: maximumBodyBytes)
            return Self.reply(code, #"{"error":"scripted"}"#)
        case .retryAfter(let seconds):
            _ = try await request.body.collect(upTo: maximumBodyBytes)
            var response = Self.reply(429, #"{"error":"slow down"}"#)
            response.headers[.retryAfter] = String(seconds)
            return response
        case .storeThenFail:
            _ = try await next(request, context)
            return Self.reply(503, "")
        case .slowerThan(let milliseconds):
            let response = try await next(request, context)
            try await Task.sleep(for: .milliseconds(milliseconds + 500))
            return response
        case .portal:
            _ = try await request.body.collect(upTo: maximumBodyBytes)
            return Response(
                status: .ok, headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: "<html><body>Please accept the terms of use</body></html>")))
        case .tooLargeOnceContaining(let text):
            // Kept on the request, so the server reads the same body after.
            let body = try await inspect(&request)
            let refuse =
                String(decoding: body, as: UTF8.self).contains(text)
                && refusedOnce.withLock { refused in
                    defer { refused = true }
                    return !refused
                }
            return refuse ? Self.reply(413, "") : try await next(request, context)
        case .tooLargeAbove(let limit):
            let body = try await inspect(&request)
            // A body that does not parse goes on: the server's 400 is the answer to it.
            let events = (try? WireBatch.parse(body))?.events.count ?? 0
            return events > limit ? Self.reply(413, "") : try await next(request, context)
        case .unsupportedEncoding:
            guard request.headers[.contentEncoding] != nil else { return try await next(request, context) }
            _ = try await request.body.collect(upTo: maximumBodyBytes)
            return Self.reply(415, #"{"error":"unsupported_encoding"}"#)
        }
    }

    /// The batch as signed (inflated when the agent compressed it), the request keeping its
    /// body so the server reads the same bytes after.
    private func inspect(_ request: inout Request) async throws -> [UInt8] {
        let body = Array(try await request.collectBody(upTo: maximumBodyBytes).readableBytesView)
        guard let coding = try ContentCoding.named(in: request.headers[.contentEncoding]) else { return body }
        let decompressor = BodyDecompressor(coding: coding, limit: maximumBodyBytes)
        try decompressor.append(body)
        return try decompressor.finish()
    }

    private static func reply(_ status: Int, _ body: String) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
