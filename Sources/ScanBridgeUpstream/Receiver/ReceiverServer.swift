import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The reference upstream: `POST /v1/scan-batches`, `GET /v1/agents/{agent_id}`.
public struct ReceiverServer: Sendable {
    public let intake: BatchIntake
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
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.onAccepted = onAccepted
    }

    /// Builds the Hummingbird application; `onListening` receives the bound port (useful
    /// with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol
    {
        let router = Router()
        let intake = self.intake
        let limit = maximumBodyBytes
        let onAccepted = self.onAccepted
        router.post("/v1/scan-batches") { request, _ -> Response in
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: limit)
            } catch {
                return Self.json(413, #"{"error":"too_large","limit_bytes":\#(limit)}"#)
            }
            let body = Array(buffer.readableBytesView)
            let reply = intake.handle(
                body: body, signature: request.headers[HTTPField.Name("Scanbridge-Signature")!],
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
            if (200..<300).contains(reply.status) { onAccepted?(body) }
            return Self.json(reply.status, reply.body)
        }
        router.get("/v1/agents/:agent_id") { _, context -> Response in
            let agentID = context.parameters.get("agent_id") ?? ""
            let reply = intake.agentReply(agentID)
            return Self.json(reply.status, reply.body)
        }
        var logger = intake.logger
        logger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "scanbridge-receiver"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    static func json(_ status: Int, _ body: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
