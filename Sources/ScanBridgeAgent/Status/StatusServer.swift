import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ScanBridgeCore
import ScanBridgeStore
import ScanBridgeUpstream
import ScanBridgeWire

/// The local HTTP endpoint: `/` (the status page), `/metrics` (Prometheus), `/healthz`,
/// `/readyz`, `/status.json` (what `scanbridge status --json` prints), and the page's one
/// form, `POST /holds/acknowledge`.
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
                        StatusHTTPHandler { head in
                            let host = head.headers.first(name: "Host")
                            guard Self.allows(host: host, listeningOn: agent.configuration.statusListen?.host) else {
                                return Reply(
                                    status: 403, type: "application/json",
                                    body: #"{"error":"host not allowed: use this agent's address or localhost"}"#)
                            }
                            if head.method == .POST {
                                return Self.acknowledge(
                                    agent: agent, path: head.uri, host: host, origin: head.headers.first(name: "Origin")
                                )
                            }
                            return Self.respond(agent: agent, method: head.method, path: head.uri)
                        })
                }
            }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    struct Reply: Sendable {
        var status: Int
        var type: String
        var body: String
        /// For a 303 after a form post.
        var location: String?
    }

    /// `POST /holds/acknowledge?through=N`, the page's button: clears the held scans it showed.
    /// Only a page this endpoint served may send it: the Host is checked before, and a browser
    /// names the page a form came from in `Origin`, which must be this same host, so a page
    /// elsewhere cannot silence the alarm.
    static func acknowledge(agent: Agent, path: String, host: String?, origin: String?) -> Reply {
        let parts = path.split(separator: "?", maxSplits: 1)
        guard parts.first == "/holds/acknowledge" else {
            return Reply(
                status: 405, type: "application/json", body: #"{"error":"only GET, and POST /holds/acknowledge"}"#)
        }
        if let origin {
            let originHost = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first
                .flatMap { hostPart(of: String($0)) }
            guard let originHost, let host, originHost.lowercased() == hostPart(of: host)?.lowercased() else {
                return Reply(
                    status: 403, type: "application/json",
                    body: #"{"error":"acknowledge from this agent's own status page"}"#)
            }
        }
        var through: Int?
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") where pair.hasPrefix("through=") {
                through = Int(pair.dropFirst("through=".count))
            }
        }
        guard let through else {
            return Reply(status: 400, type: "application/json", body: #"{"error":"through=N is required"}"#)
        }
        agent.devices.acknowledgeHolds(through: through)
        return Reply(status: 303, type: "text/plain; charset=utf-8", body: "acknowledged\n", location: "/")
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
                    },
                    feedback: .init(
                        sent: counts.feedback[.sent] ?? 0, failed: counts.feedback[.failed] ?? 0,
                        shown: counts.feedback[.shown] ?? 0, unacknowledged: agent.devices.unacknowledgedHolds.count),
                    profiles: agent.profilesStatus)
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

    private let respond: @Sendable (HTTPRequestHead) -> StatusServer.Reply
    private var request: HTTPRequestHead?

    init(respond: @escaping @Sendable (HTTPRequestHead) -> StatusServer.Reply) {
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
            let reply = respond(request)
            var body = context.channel.allocator.buffer(capacity: reply.body.utf8.count)
            body.writeString(reply.body)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: reply.type)
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            headers.add(name: "Cache-Control", value: "no-store")
            if let location = reply.location { headers.add(name: "Location", value: location) }
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
