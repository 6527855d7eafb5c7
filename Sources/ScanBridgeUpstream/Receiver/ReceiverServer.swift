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

    public init(intake: BatchIntake, host: String, port: Int, maximumBodyBytes: Int = 8 * 1024 * 1024) {
        self.intake = intake
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Builds the Hummingbird application; `onListening` receives the bound port (useful
    /// with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol
    {
        let router = Router()
        let intake = self.intake
        let limit = maximumBodyBytes
        router.post("/v1/scan-batches") { request, _ -> Response in
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: limit)
            } catch {
                return Self.json(413, #"{"error":"too_large","limit_bytes":\#(limit)}"#)
            }
            let reply = intake.handle(
                body: Array(buffer.readableBytesView),
                signature: request.headers[HTTPField.Name("Scanbridge-Signature")!],
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
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
