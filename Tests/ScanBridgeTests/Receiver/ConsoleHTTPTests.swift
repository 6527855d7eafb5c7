import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ScanBridgeReceiver
import Testing

@testable import ScanBridgeTestSupport

/// The fleet console over real HTTP, on each store: a bearer token reads the pages, a browser
/// signs in with the form and gets a session cookie, a revoked consumer's session ends.
@Suite("Receiver console over HTTP", .temporaryDirectory)
struct ConsoleHTTPTests {
    @Test("SQLite: bearer pages, sign-in cookie, refusals, revocation and logout")
    func sqlite() async throws {
        try await Self.check(.sqlite)
    }

    @Test(
        "PostgreSQL: bearer pages, sign-in cookie, refusals, revocation and logout",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func postgres() async throws {
        try await Self.check(.postgres)
    }

    static func check(_ backend: StoreBackend) async throws {
        let store = try await backend.open(try await backend.freshStore())
        let finance: String
        let audit: String
        do {
            try await ConsoleFleetFixture.populate(store)
            finance = try await ConsumerTestSupport.token(for: store, name: "finance")
            audit = try await ConsumerTestSupport.token(for: store, name: "audit")
        } catch {
            await store.close()
            throw error
        }
        try await TestReceiver.serving(store) { receiver, _ in
            let browser = ConsoleClient()
            do {
                try await pages(receiver.url, browser: browser, token: finance)
                try await signIn(receiver.url, browser: browser, store: store, finance: finance, audit: audit)
            } catch {
                await browser.shutdown()
                throw error
            }
            await browser.shutdown()
        }
    }

    static func pages(_ url: String, browser: ConsoleClient, token: String) async throws {
        let fleet = try await browser.send(.GET, url + "/", headers: ["Authorization": "Bearer " + token])
        #expect(fleet.status == 200 && fleet.header("Content-Type") == "text/html; charset=utf-8")
        #expect(fleet.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        let order = ConsoleFleetFixture.agents.map { agent in
            fleet.body.range(of: "href=\"/agents/\(agent)\"")?.lowerBound
        }
        #expect(order.allSatisfy { $0 != nil }, "every agent listed: \(fleet.body)")
        let positions = order.compactMap { $0 }
        // Behind (two hours of lag) first, then the drift alert, then the healthy one.
        #expect(positions.count == 3 && positions[1] < positions[2] && positions[2] < positions[0], "\(fleet.body)")
        #expect(fleet.body.contains("http-equiv=\"refresh\"") && !fleet.body.contains("<script"))

        let agent = try await browser.send(
            .GET, url + "/agents/agent-drifting", headers: ["Authorization": "Bearer " + token])
        #expect(agent.status == 200)
        for text in [
            "Open drift alerts (2)", "schema.drift_detected", "firmware changed from 2.0 to 2.1", "Held payloads (1)",
            "schema: /qty must be a string", "scale-1", "acme-scale@2",
        ] {
            #expect(agent.body.contains(text), "\(text) in \(agent.body)")
        }
        let unknown = try await browser.send(
            .GET, url + "/agents/nobody%2Fhere", headers: ["Authorization": "Bearer " + token])
        #expect(unknown.status == 404 && unknown.body.contains("No agent nobody/here"))

        for path in ["/", "/agents/agent-drifting"] {
            for headers in [[:], ["Authorization": "Bearer wrong"], ["Cookie": "scanbridge_console=forged"]] {
                let refused = try await browser.send(.GET, url + path, headers: headers)
                #expect(refused.status == 401 && refused.body.contains("action=\"/login\""), "\(path) \(headers)")
                #expect(!refused.body.contains("agent-drifting") && !refused.body.contains("scale-1"))
            }
        }
    }

    static func signIn(
        _ url: String, browser: ConsoleClient, store: any ReceiverStorage, finance: String, audit: String
    ) async throws {
        let origin = ["Origin": url, "Content-Type": "application/x-www-form-urlencoded"]
        let wrong = try await browser.send(.POST, url + "/login", headers: origin, body: "token=" + audit + "x")
        #expect(
            wrong.status == 401 && wrong.body.contains("not a live consumer token") && wrong.header("Set-Cookie") == nil
        )
        let empty = try await browser.send(.POST, url + "/login", headers: origin, body: "token=")
        #expect(empty.status == 401 && empty.header("Set-Cookie") == nil)
        var crossSite = origin
        crossSite["Origin"] = "http://evil.example"
        let forged = try await browser.send(.POST, url + "/login", headers: crossSite, body: "token=" + finance)
        #expect(forged.status == 403 && forged.header("Set-Cookie") == nil)

        let signedIn = try await browser.send(.POST, url + "/login", headers: origin, body: "token=" + finance)
        #expect(signedIn.status == 303 && signedIn.header("Location") == "/")
        let cookie = try #require(signedIn.header("Set-Cookie"))
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
            #expect(cookie.contains(attribute), "\(attribute) in \(cookie)")
        }
        #expect(!cookie.contains("Secure"), "plain http: \(cookie)")
        let session = try #require(cookie.split(separator: ";").first.map(String.init))
        #expect(session.hasPrefix("scanbridge_console=") && session.count > 40)

        let fleet = try await browser.send(.GET, url + "/", headers: ["Cookie": session])
        #expect(
            fleet.status == 200 && fleet.body.contains("Signed in as finance") && fleet.body.contains("agent-lagging"))

        var proxied = origin
        proxied["X-Forwarded-Proto"] = "https"
        let overTLS = try await browser.send(.POST, url + "/login", headers: proxied, body: "token=" + audit)
        let auditCookie = try #require(overTLS.header("Set-Cookie"))
        #expect(overTLS.status == 303 && auditCookie.contains("; Secure"), "\(auditCookie)")
        let auditSession = try #require(auditCookie.split(separator: ";").first.map(String.init))

        // Revoking the consumer ends its session on the next request.
        _ = try await store.revokeConsumer(name: "finance")
        let ended = try await browser.send(.GET, url + "/", headers: ["Cookie": session])
        #expect(ended.status == 401 && ended.body.contains("session has ended"))
        #expect(ended.header("Set-Cookie")?.contains("Max-Age=0") == true)
        let stillAudit = try await browser.send(.GET, url + "/", headers: ["Cookie": auditSession])
        #expect(stillAudit.status == 200)

        // Logging out ends the session too; a cross-site logout is refused.
        let crossLogout = try await browser.send(
            .POST, url + "/logout", headers: ["Cookie": auditSession, "Origin": "http://evil.example"])
        #expect(crossLogout.status == 403)
        let loggedOut = try await browser.send(
            .POST, url + "/logout", headers: ["Cookie": auditSession, "Origin": url])
        #expect(loggedOut.status == 303 && loggedOut.header("Location") == "/login")
        let after = try await browser.send(.GET, url + "/", headers: ["Cookie": auditSession])
        #expect(after.status == 401)
    }
}

/// A client that shows redirects instead of following them, with any method and headers.
struct ConsoleClient: Sendable {
    let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [String: String] = [:], body: String? = nil)
        async throws -> ReceiverHTTP.Answer
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(60))
        var buffer = try await response.body.collect(upTo: 16 << 20)
        return ReceiverHTTP.Answer(
            status: Int(response.status.code), body: buffer.readString(length: buffer.readableBytes) ?? "",
            headers: response.headers)
    }
}
