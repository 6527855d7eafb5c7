import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScanBridgeCore

/// The fleet console's routes: `GET /`, `GET /agents/{agent_id}`, `GET|POST /login`,
/// `POST /logout`.
///
/// A page answers a consumer's `Authorization: Bearer TOKEN` (scripts) or a session cookie
/// (`ConsoleSessions`); anything else gets the sign-in form with 401. Against cross-site
/// requests: the cookie is `SameSite=Strict`, and the two POSTs refuse an `Origin` (or, without
/// one, a `Sec-Fetch-Site`) that is not this site. The pages carry no script and a
/// Content-Security-Policy that allows none.
struct ConsoleRoutes: Sendable {
    let reader: ConsoleReader
    let consumers: ConsumerAuthenticator
    let sessions: ConsoleSessions
    let logger: Logger

    /// Who may see a page, or what to answer instead.
    enum Access {
        case viewer(ConsoleViewer)
        /// The sign-in form; `endedSession` also tells the browser to drop its cookie.
        case signIn(message: String?, endedSession: Bool)
        case storeUnavailable
    }

    func add(to router: Router<ReceiverRequestContext>) {
        router.get("/") { request, _ -> Response in
            await page(request) { viewer async throws(ReceiverStoreError) -> Rendered in
                let page = request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1
                return .ok(ConsoleFleetPage.render(try await reader.fleet(), page: page, viewer: viewer))
            }
        }
        router.get("/agents/:agent_id") { request, context -> Response in
            let raw = context.parameters.get("agent_id") ?? ""
            let agentID = raw.removingPercentEncoding ?? raw
            return await page(request) { viewer async throws(ReceiverStoreError) -> Rendered in
                guard let detail = try await reader.agent(agentID) else {
                    return .status(404, ConsoleLayout.notFound(agentID: agentID, viewer: viewer))
                }
                return .ok(ConsoleAgentPage.render(detail, viewer: viewer))
            }
        }
        router.get("/login") { _, _ -> Response in
            Self.html(200, ConsoleLoginPage.render())
        }
        router.post("/login") { request, _ -> Response in
            await login(request)
        }
        router.post("/logout") { request, _ -> Response in
            await logout(request)
        }
    }

    enum Rendered {
        case ok(String)
        case status(Int, String)
    }

    /// Renders `content` for whoever may see it; the sign-in form or 503 otherwise.
    func page(
        _ request: Request, _ content: (ConsoleViewer) async throws(ReceiverStoreError) -> Rendered
    ) async -> Response {
        switch await access(request) {
        case .viewer(let viewer):
            do {
                switch try await content(viewer) {
                case .ok(let html): return Self.html(200, html)
                case .status(let status, let html): return Self.html(status, html)
                }
            } catch {
                logger.error("receiver store failed", metadata: ["error": "\(error)"])
                return Self.unavailable()
            }
        case .signIn(let message, let endedSession):
            var response = Self.html(401, ConsoleLoginPage.render(message: message))
            response.headers[.wwwAuthenticate] = "Bearer"
            if endedSession {
                response.headers[.setCookie] = ConsoleSessions.clearedCookie(secure: Self.overTLS(request))
            }
            return response
        case .storeUnavailable:
            return Self.unavailable()
        }
    }

    func access(_ request: Request) async -> Access {
        if let authorization = request.headers[.authorization] {
            switch await consumers.authenticate(authorization) {
            case .consumer(let name): return .viewer(.bearer(consumer: name))
            case .unauthorized:
                return .signIn(message: "The Authorization header holds no live consumer token.", endedSession: false)
            case .storeUnavailable: return .storeUnavailable
            }
        }
        guard let cookie = Self.sessionCookie(request) else { return .signIn(message: nil, endedSession: false) }
        switch await sessions.consumer(cookie: cookie) {
        case .consumer(let name): return .viewer(.session(consumer: name))
        case .ended:
            return .signIn(
                message:
                    "Your session has ended (it expired, you logged out, or its consumer was revoked). Sign in again.",
                endedSession: true)
        case .storeUnavailable: return .storeUnavailable
        }
    }

    func login(_ request: Request) async -> Response {
        guard Self.sameOrigin(request) else {
            logger.notice("refused a console sign-in posted from another site")
            return Self.html(403, ConsoleLoginPage.render(message: "Sign in from this receiver's own page."))
        }
        let form = try? await request.body.collect(upTo: 8 * 1024)
        guard let token = form.flatMap({ Self.formField("token", in: String(buffer: $0)) }), !token.isEmpty else {
            return Self.html(401, ConsoleLoginPage.render(message: "Enter a consumer token."))
        }
        // The same constant-time check as the feed's bearer tokens.
        switch await consumers.authenticate("Bearer " + token) {
        case .consumer(let name):
            do {
                let cookie = try await sessions.start(consumer: name)
                logger.notice("console sign-in", metadata: ["consumer": "\(name)"])
                return Self.redirect(
                    to: "/", setCookie: ConsoleSessions.setCookie(cookie, secure: Self.overTLS(request)))
            } catch {
                logger.error("receiver store failed", metadata: ["error": "\(error)"])
                return Self.unavailable()
            }
        case .unauthorized:
            return Self.html(
                401,
                ConsoleLoginPage.render(
                    message: "That token is not a live consumer token of this receiver (wrong, or revoked)."))
        case .storeUnavailable:
            return Self.unavailable()
        }
    }

    func logout(_ request: Request) async -> Response {
        guard Self.sameOrigin(request) else { return Self.html(403, ConsoleLoginPage.render()) }
        if let cookie = Self.sessionCookie(request) {
            do { try await sessions.end(cookie: cookie) } catch {
                logger.error("receiver store failed", metadata: ["error": "\(error)"])
                return Self.unavailable()
            }
        }
        return Self.redirect(to: "/login", setCookie: ConsoleSessions.clearedCookie(secure: Self.overTLS(request)))
    }

    // MARK: Requests

    static func sessionCookie(_ request: Request) -> String? {
        guard let value = request.cookies[ConsoleSessions.cookieName]?.value, !value.isEmpty else { return nil }
        return value
    }

    /// `Origin` names this site (its `Host`, or the `X-Forwarded-Host` a proxy passed on); a
    /// browser that sends no Origin must call the request same-origin in `Sec-Fetch-Site`.
    /// A request with neither comes from no browser, so it carries no ambient cookie to abuse.
    static func sameOrigin(_ request: Request) -> Bool {
        let hosts = [request.head.authority, request.headers[forwardedHost]]
            .compactMap { $0?.lowercased() }
        if let origin = request.headers[.origin] {
            guard let separator = origin.range(of: "://") else { return false }
            return hosts.contains(origin[separator.upperBound...].lowercased())
        }
        if let site = request.headers[fetchSite] { return site == "same-origin" || site == "none" }
        return true
    }

    /// The receiver serves plain HTTP (`receive` has no TLS options); a TLS-terminating proxy
    /// says the browser used https with `X-Forwarded-Proto` or `Forwarded: proto=https`. A
    /// forged header only makes the cookie Secure, which over plain http the browser then
    /// refuses to keep: no harm beyond failing to sign in.
    static func overTLS(_ request: Request) -> Bool {
        if request.headers[forwardedProto]?.lowercased() == "https" { return true }
        return request.headers[forwarded]?.lowercased().contains("proto=https") ?? false
    }

    /// A field of an `application/x-www-form-urlencoded` body.
    static func formField(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let forwarded = HTTPField.Name("Forwarded")!
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    // MARK: Responses

    /// No script may run, nothing may load from elsewhere, forms post only here, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func html(_ status: Int, _ html: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: contentSecurityPolicy, HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(to location: String, setCookie: String) -> Response {
        Response(
            status: .seeOther,
            headers: [.location: location, .setCookie: setCookie, .cacheControl: "no-store", .contentLength: "0"])
    }

    static func unavailable() -> Response {
        var response = html(
            503,
            ConsoleLayout.page(
                title: "scanbridge fleet — store unavailable", refresh: true, signedInAs: nil,
                body: "<h1>The receiver's store does not answer</h1><p>This page tries again by itself.</p>"))
        response.headers[.retryAfter] = "5"
        return response
    }
}
