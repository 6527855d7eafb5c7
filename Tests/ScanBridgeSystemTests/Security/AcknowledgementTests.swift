import Foundation
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeUpstream
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// A 2xx is an acknowledgement only when the receiver names the batch: a captive portal's
/// `200 <html>` must never let the agent believe, and later prune, what nobody holds.
@Suite("Acknowledgement and plain http", .system)
struct AcknowledgementTests {
    static func classify(_ status: Int, _ body: String, batch: Int64, _ mode: Acknowledgement = .batchSeq)
        -> DeliveryOutcome
    {
        DeliveryOutcome.classify(
            status: status, retryAfter: nil, body: body, now: .now(), batchSeq: batch, acknowledgement: mode)
    }

    @Test("only a JSON body naming the batch sent acknowledges it; anything else is retried with the reason")
    func namesTheBatch() {
        #expect(Self.classify(200, #"{"status":"accepted","batch_seq":7}"#, batch: 7) == .accepted(status: 200))
        #expect(
            Self.classify(200, #"{"status":"repeat","batch_seq":7}"#, batch: 7)
                == .accepted(status: 200, repeated: true))
        #expect(Self.classify(201, #"{"batch_seq": 7, "x": [1]}"#, batch: 7) == .accepted(status: 201))
        for body in ["<html>welcome</html>", "", "{}", #"{"batch_seq":6}"#, #"{"batch_seq":"7"}"#, "[7]", "null"] {
            guard case .retry(let reason, _) = Self.classify(200, body, batch: 7) else {
                Issue.record("\(body) was taken as an acknowledgement")
                continue
            }
            #expect(reason.contains("without acknowledging batch 7"))
            #expect(reason.contains("proxy or captive portal"))
        }
        #expect(Self.classify(204, "", batch: 7, .status) == .accepted(status: 204))
        #expect(Self.classify(200, "<html>", batch: 7, .status) == .accepted(status: 200))
    }

    @Test("a portal answering 200 <html> is retried, shown as the last error, and every event still arrives")
    func portalIsNotAnAcknowledgement() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key, script: [.portal, .portal, .portal])
        let port = receiver.port
        let agent = try holder.agent(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        defer { agent.task.cancel() }
        try agent.scan(120)
        let shown = await TestSupport.eventually(seconds: 10) {
            agent.agent.counters.snapshot.lastError?.contains("without acknowledging batch 1") == true
        }
        #expect(shown, "\(agent.agent.counters.snapshot)")
        let delivered = await TestSupport.eventually(seconds: 30) {
            (try? receiver.store.eventCount(agentID: agent.agent.agentID)) == 120
        }
        // The receiver holds the last batch a moment before the agent records its answer.
        let acknowledged = await TestSupport.eventually(seconds: 10) {
            agent.agent.counters.snapshot.acknowledged == 120
        }
        try await agent.stop()
        await receiver.stop()
        let held = try receiver.store.eventCount(agentID: agent.agent.agentID)
        #expect(delivered, "the receiver holds \(held) of 120")
        #expect(acknowledged, "acknowledged \(agent.agent.counters.snapshot.acknowledged) of 120")
    }

    @Test("plain http is refused off loopback unless allowed, and a bearer token never goes over it")
    func plainHTTP() throws {
        let directory = TestSupport.temporaryDirectory("plain-http")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let token = directory + "/token"
        try "secret".write(toFile: token, atomically: true, encoding: .utf8)
        func start(_ url: String, allow: Bool = false, bearer: Bool = false) -> String? {
            var configuration = AgentConfiguration(stateDirectory: directory + "/state")
            var upstream = AgentConfiguration.Upstream(url: url)
            upstream.allowPlainHTTP = allow
            if bearer { upstream.security.bearerTokenFile = token }
            configuration.upstream = upstream
            return Agent.startFailure(configuration)
        }
        #expect(start("http://192.0.2.10/v1/scan-batches")?.contains("upstream.allow_plain_http") == true)
        #expect(start("http://192.0.2.10/v1/scan-batches", allow: true) == nil)
        #expect(
            start("http://192.0.2.10/v1/scan-batches", allow: true, bearer: true)?.contains("clear text") == true)
        #expect(start("http://127.0.0.1:9/v1/scan-batches", bearer: true) == nil)
        #expect(start("http://localhost:9/v1/scan-batches") == nil)
        #expect(start("http://[::1]:9/v1/scan-batches") == nil)
        #expect(start("https://192.0.2.10/v1/scan-batches", bearer: true) == nil)
        #expect(!Loopback.contains(host: "127.0.0.1.example.com"))
        // The profile bundle is fetched with the upstream's credentials: the same rule for its URL.
        let authority = directory + "/authority.pub.jwk"
        try SigningKey().publicJWK.json.write(toFile: authority, atomically: true, encoding: .utf8)
        func startWithBundle(_ bundleURL: String) -> String? {
            var configuration = AgentConfiguration(stateDirectory: directory + "/state")
            var upstream = AgentConfiguration.Upstream(url: "https://192.0.2.10/v1/scan-batches")
            upstream.security.bearerTokenFile = token
            configuration.upstream = upstream
            configuration.profileBundles.trust = [authority]
            configuration.profileBundles.url = bundleURL
            return Agent.startFailure(configuration)
        }
        let refused = startWithBundle("http://192.0.2.10/v1/profile-bundle")
        #expect(refused?.contains("http://192.0.2.10/v1/profile-bundle") == true, "\(refused ?? "started")")
        #expect(startWithBundle("https://192.0.2.10/v1/profile-bundle") == nil)
    }

    @Test("upstream.acknowledgement and allow_plain_http are read from the file and the environment")
    func configuration() throws {
        let directory = TestSupport.temporaryDirectory("ack-config")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/scanbridge.yaml"
        try """
        upstream:
          url: http://10.1.2.3/v1/scan-batches
          acknowledgement: status
          allow_plain_http: true
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try ConfigurationLoader.load(path: path, environment: [:])
        #expect(loaded.upstream?.acknowledgement == .status)
        #expect(loaded.upstream?.allowPlainHTTP == true)
        let overridden = try ConfigurationLoader.load(
            path: path, environment: ["SCANBRIDGE_UPSTREAM_ACKNOWLEDGEMENT": "batch_seq"])
        #expect(overridden.upstream?.acknowledgement == .batchSeq)
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(path: path, environment: ["SCANBRIDGE_UPSTREAM_ACKNOWLEDGEMENT": "any"])
        }
        let defaults = try ConfigurationLoader.load(
            path: nil, environment: ["SCANBRIDGE_UPSTREAM_URL": "https://example.com/v1/scan-batches"])
        #expect(defaults.upstream?.acknowledgement == .batchSeq && defaults.upstream?.allowPlainHTTP == false)
    }
}

extension Agent {
    /// Why an agent with `configuration` refuses to start, or nil when it would.
    static func startFailure(_ configuration: AgentConfiguration) -> String? {
        var logger = Logger(label: "start")
        logger.logLevel = .critical
        do {
            _ = try Agent(configuration: configuration, logger: logger)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
