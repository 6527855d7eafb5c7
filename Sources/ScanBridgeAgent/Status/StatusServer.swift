import Hummingbird
import Logging
import NIOCore
import ScanBridgeCore
import ScanBridgeStore

/// The local HTTP endpoint: `/` (the status page), `/metrics` (Prometheus), `/healthz`,
/// `/readyz`, and `/status.json` (what `scanbridge status --json` prints).
///
/// It listens on loopback by default: it is for the person at the bench and the local
/// monitoring agent, and it carries no secret but also no authentication.
struct StatusServer: Sendable {
    let agent: Agent
    let host: String
    let port: Int

    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let agent = self.agent
        router.get("/") { _, _ -> Response in
            let page = StatusPage.render(agent.statusSnapshot())
            return Self.reply(200, page, type: "text/html; charset=utf-8")
        }
        router.get("/metrics") { _, _ -> Response in
            agent.refreshMetrics()
            return Self.reply(
                200, String(decoding: agent.metrics.exposition(), as: UTF8.self),
                type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/healthz") { _, _ -> Response in
            Self.reply(200, #"{"status":"alive"}"#, type: "application/json")
        }
        router.get("/readyz") { _, _ -> Response in
            if let reason = agent.notReadyReason {
                return Self.reply(
                    503, #"{"status":"not ready","reason":"\#(Self.jsonEscape(reason))"}"#, type: "application/json")
            }
            return Self.reply(200, #"{"status":"ready"}"#, type: "application/json")
        }
        router.get("/status.json") { _, _ -> Response in
            do {
                let status = try OutboxStatus.read(agent.database)
                return Self.reply(
                    200, String(decoding: status.json(now: .now()), as: UTF8.self), type: "application/json")
            } catch {
                return Self.reply(503, #"{"error":"\#(Self.jsonEscape("\(error)"))"}"#, type: "application/json")
            }
        }
        var logger = agent.logger
        logger.logLevel = .warning
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
    }

    static func reply(_ status: Int, _ body: String, type: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: type, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func jsonEscape(_ text: String) -> String {
        var writer = JSONWriter()
        writer.string(text)
        return String(String(decoding: writer.bytes, as: UTF8.self).dropFirst().dropLast())
    }
}
