import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ScanBridgeCore
import ScanBridgeStore
import ScanBridgeUpstream
import ScanBridgeWire

/// The local HTTP endpoint: `/` (the status page), `/metrics` (Prometheus), `/healthz`,
/// `/readyz`, and `/status.json` (what `scanbridge status --json` prints).
///
/// Plain SwiftNIO rather than a web framework: an always-on tablet pays for every wake-up,
/// and a framework's once-a-second date-header timer alone would wake the agent more often
/// than all its devices do when idle. It listens on loopback by default: it is for the person
/// at the bench and the local monitoring agent, and it carries no secret but also no
/// authentication.
struct StatusServer: Sendable {
    let agent: Agent
    let host: String
    let port: Int

    /// Binds and serves until `shutdown` completes; returns the bound port through `onListening`.
    func start() async throws -> any Channel {
        let agent = self.agent
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        StatusHTTPHandler { method, path, host in
                            guard Self.allows(host: host, listeningOn: agent.configuration.statusListen?.host) else {
                                return Reply(
                                    status: 403, type: "application/json",
                                    body: #"{"error":"host not allowed: use this agent's address or localhost"}"#)
                            }
                            return Self.respond(agent: agent, method: method, path: path)
                        })
                }
            }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    struct Reply: Sendable {
        var status: Int
        var type: String
        var body: String
    }

    /// Whether a request's `Host` names this endpoint: a loopback name, the configured
    /// address, or an IP literal. A web page elsewhere can make the tablet's browser resolve
    /// its own domain to this address (DNS rebinding), but it cannot change the name the
    /// browser puts in `Host`, so any other name is refused.
    static func allows(host header: String?, listeningOn listen: String?) -> Bool {
        guard let header, let host = hostPart(of: header) else { return false }
        if Loopback.contains(host: host) { return true }
        if let listen, host.lowercased() == listen.lowercased() { return true }
        return isIPLiteral(host)
    }

    static func hostPart(of header: String) -> String? {
        let value = header.trimmingWhitespace(newlines: false)
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            return String(value[value.index(after: value.startIndex)..<close])
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.first, !name.isEmpty else { return nil }
        return String(name)
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func respond(agent: Agent, method: HTTPMethod, path: String) -> Reply {
        guard method == .GET || method == .HEAD else {
            return Reply(status: 405, type: "application/json", body: #"{"error":"only GET"}"#)
        }
        switch path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path {
        case "/":
            return Reply(status: 200, type: "text/html; charset=utf-8", body: StatusPage.render(agent.statusSnapshot()))
        case "/metrics":
            agent.refreshMetrics()
            return Reply(
                status: 200, type: "text/plain; version=0.0.4; charset=utf-8",
                body: String(decoding: agent.metrics.exposition(), as: UTF8.self))
        case "/healthz":
            return Reply(status: 200, type: "application/json", body: #"{"status":"alive"}"#)
        case "/readyz":
            if let reason = agent.notReadyReason {
                return Reply(
                    status: 503, type: "application/json",
                    body: #"{"status":"not ready","reason":"\#(jsonEscape(reason))"}"#)
            }
            return Reply(status: 200, type: "application/json", body: #"{"status":"ready"}"#)
        case "/status.json":
            do {
                let status = try OutboxStatus.read(agent.database)
                let counts = agent.counters.snapshot
                let live = OutboxStatus.Live(
                    lastError: counts.lastError, stateWriteFailures: counts.stateWriteFailures,
                    upstream: counts.upstream.map { traffic in
                        .init(
                            compression: traffic.inUse?.rawValue ?? "none",
                            compressionConfigured: traffic.configured?.rawValue ?? "none",
                            compressionRefused: traffic.refused, bodyBytes: traffic.bodyBytes,
                            sentBytes: traffic.sentBytes)
                    })
                return Reply(
                    status: 200, type: "application/json",
                    body: String(decoding: status.json(now: .now(), live: live), as: UTF8.self))
            } catch {
                return Reply(status: 503, type: "application/json", body: #"{"error":"\#(jsonEscape("\(error)"))"}"#)
            }
        default:
            return Reply(status: 404, type: "application/json", body: #"{"error":"not found"}"#)
        }
    }

    static func jsonEscape(_ text: String) -> String {
        var writer = JSONWriter()
        writer.string(text)
        return String(String(decoding: writer.bytes, as: UTF8.self).dropFirst().dropLast())
    }
}

/// One request, one response, then the connection closes: the page and the scraper make a
/// handful of requests a minute.
final class StatusHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (HTTPMethod, String, String?) -> StatusServer.Reply
    private var request: HTTPRequestHead?

    init(respond: @escaping @Sendable (HTTPMethod, String, String?) -> StatusServer.Reply) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let request else { return }
            self.request = nil
            let reply = respond(request.method, request.uri, request.headers.first(name: "Host"))
            var body = context.channel.allocator.buffer(capacity: reply.body.utf8.count)
            body.writeString(reply.body)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: reply.type)
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            headers.add(name: "Cache-Control", value: "no-store")
            headers.add(name: "Connection", value: "close")
            let head = HTTPResponseHead(
                version: request.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            let closing = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                closing.value.close(promise: nil)
            }
        }
    }
}
