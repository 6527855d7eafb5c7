import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScanBridgeCore
import ScanBridgeWire

/// The reference upstream over HTTP: `POST /v1/scan-batches`, the feed `GET /v1/events`,
/// `GET /v1/agents[/{agent_id}]`, `GET /metrics` (these three for a consumer's bearer token
/// only), `GET /v1/profile-bundle` (an agent's signed request or a consumer's token), the
/// fleet console (`GET /`, `/agents/{agent_id}`, `/login`, `/logout`: a consumer's token or a
/// session signed in with one), `/healthz` and `/readyz` (the store answers).
///
/// A receiver keeps no state of its own beyond its metrics: any number of them can serve one
/// PostgreSQL store behind a load balancer.
public struct ReceiverServer: Sendable {
    public let intake: BatchIntake
    public let queries: ReceiverQueries
    /// Who may read the feed, the agents and the metrics.
    public let consumers: ConsumerAuthenticator
    public let host: String
    public let port: Int
    public let maximumBodyBytes: Int
    /// Told about every batch answered 2xx, just before the answer goes out (the bench
    /// measures scan→acknowledgement with it).
    public let onAccepted: (@Sendable (_ body: [UInt8]) -> Void)?

    public init(
        intake: BatchIntake, host: String, port: Int, maximumBodyBytes: Int = 8 * 1024 * 1024,
        onAccepted: (@Sendable (_ body: [UInt8]) -> Void)? = nil
    ) {
        self.intake = intake
        self.queries = ReceiverQueries(store: intake.store, logger: intake.logger)
        self.consumers = ConsumerAuthenticator(store: intake.store, logger: intake.logger)
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.onAccepted = onAccepted
    }

    /// Builds the Hummingbird application; `onListening` receives the bound port (useful
    /// with port 0). Run it with `runService()` for a graceful stop on SIGTERM/SIGINT: the
    /// listener closes and requests in flight finish (their transactions commit or roll back)
    /// before it returns.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol
    {
        let router = Router(context: ReceiverRequestContext.self)
        addBatchRoute(to: router)
        return application(router: router, onListening: onListening)
    }

    /// The same application with `middleware` in front of `POST /v1/scan-batches` alone: the
    /// tests put scripted faults there and still run every production route, admission and
    /// size limit included, behind it.
    public func application(
        batchMiddleware middleware: some RouterMiddleware<ReceiverRequestContext>,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: ReceiverRequestContext.self)
        addBatchRoute(to: router.group().add(middleware: middleware))
        return application(router: router, onListening: onListening)
    }

    private func addBatchRoute(to router: some RouterMethods<ReceiverRequestContext>) {
        let intake = self.intake
        let limit = maximumBodyBytes
        let onAccepted = self.onAccepted
        router.post("/v1/scan-batches") { request, context -> Response in
            let signer: BatchIntake.AdmittedSigner
            switch await intake.admit(signature: request.headers[Self.signatureField]) {
            case .admitted(let admitted): signer = admitted
            case .refused(let reply):
                // Not a byte of the body was read; closing the input spares draining an upload
                // nobody may make, and ends one that never finishes arriving.
                context.channel.close(mode: .input, promise: nil)
                var response = Self.json(reply)
                response.headers[.connection] = "close"
                return response
            }
            let coding: ContentCoding?
            do {
                coding = try ContentCoding.named(in: request.headers[.contentEncoding])
            } catch {
                // RFC 9110 §15.5.16: name the codings that would be read. The agent sends the
                // same bytes again uncompressed.
                context.channel.close(mode: .input, promise: nil)
                var response = Self.json(415, #"{"error":"unsupported_encoding","accepted":["gzip","zstd"]}"#)
                response.headers[.acceptEncoding] = "gzip, zstd"
                response.headers[.connection] = "close"
                return response
            }
            let body: [UInt8]
            switch await BatchBodyReader.read(request.body, coding: coding, limit: limit) {
            case .success(let bytes): body = bytes
            case .failure(.tooLarge):
                intake.refusedTooLarge()
                return Self.json(413, #"{"error":"too_large","limit_bytes":\#(limit)}"#)
            case .failure(.undecodable(let failure)):
                return Self.json(.json(400, ["error": "malformed", "detail": "\(failure)"]))
            }
            let reply = await intake.handle(
                body: body, signedBy: signer, idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
            if (200..<300).contains(reply.status) { onAccepted?(body) }
            return Self.json(reply)
        }
    }

    /// Adds every other route to `router` and builds the application around it.
    private func application(
        router: Router<ReceiverRequestContext>, onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let intake = self.intake
        let queries = self.queries
        // The feed, the agents and the metrics are for consumers only; health stays open.
        let consumers = self.consumers
        func forConsumers(
            _ handler: @escaping @Sendable (Request, ReceiverRequestContext) async -> Response
        ) -> @Sendable (Request, ReceiverRequestContext) async -> Response {
            { request, context in
                switch await consumers.authenticate(request.headers[.authorization]) {
                case .consumer: return await handler(request, context)
                case .unauthorized:
                    var response = Self.json(401, #"{"error":"unauthorized"}"#)
                    response.headers[.wwwAuthenticate] = "Bearer"
                    return response
                case .storeUnavailable: return Self.json(.storeUnavailable)
                }
            }
        }
        router.get(
            "/v1/events",
            use: forConsumers { request, _ in
                let parameters = request.uri.queryParameters
                return Self.json(await queries.events(after: parameters.get("after"), limit: parameters.get("limit")))
            })
        router.get("/v1/agents", use: forConsumers { _, _ in Self.json(await queries.agents()) })
        router.get(
            "/v1/agents/:agent_id",
            use: forConsumers { _, context in
                Self.json(await queries.agent(context.parameters.get("agent_id") ?? ""))
            })
        router.get(
            "/metrics",
            use: forConsumers { _, _ in
                guard let metrics = intake.metrics else { return Self.json(404, #"{"error":"not_found"}"#) }
                if let summaries = try? await intake.store.agentSummaries() {
                    metrics.refresh(agents: summaries, now: .now())
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
            })
        ProfileBundleRoute(
            store: intake.store,
            agents: AgentRequestAuthenticator(store: intake.store, trusted: intake.trusted, logger: intake.logger),
            consumers: consumers, logger: intake.logger
        ).add(to: router)
        ConsoleRoutes(
            reader: ConsoleReader(store: intake.store), consumers: consumers,
            sessions: ConsoleSessions(store: intake.store, logger: intake.logger), logger: intake.logger
        ).add(to: router)
        router.get("/healthz") { _, _ -> Response in
            Self.json(200, #"{"status":"alive"}"#)
        }
        router.get("/readyz") { _, _ -> Response in
            do {
                try await intake.store.ping()
                return Self.json(200, #"{"status":"ready"}"#)
            } catch {
                return Self.json(503, #"{"status":"not ready","reason":"store_unavailable"}"#)
            }
        }
        var logger = intake.logger
        logger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "scanbridge-receiver"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    static let signatureField = HTTPField.Name("Scanbridge-Signature")!

    static func json(_ reply: ReceiverReply) -> Response {
        var response = json(reply.status, reply.body)
        if let seconds = reply.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        return response
    }

    static func json(_ status: Int, _ body: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Hummingbird's basic context plus the connection, so a refused upload can be cut off.
public struct ReceiverRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
