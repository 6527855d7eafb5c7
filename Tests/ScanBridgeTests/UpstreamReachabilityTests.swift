import ScanBridgeTools
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

@Suite("An upstream nobody can connect to", .temporaryDirectory)
struct UpstreamReachabilityTests {
    @Test("a refused connection is one failed attempt, reported at once as unreachable, not retried inside it")
    func refusedIsOneAttempt() async throws {
        let port = try AgentBench.freePort()
        // A long connect timeout: the HTTP client must not spend it knocking again on its own.
        let upstream = try HTTPUpstream(
            url: "http://127.0.0.1:\(port)/v1/scan-batches", timeoutMilliseconds: 60_000,
            connectTimeoutMilliseconds: 60_000)
        let started = ContinuousClock.now
        let outcome = await upstream.deliver(
            body: Array("{}".utf8), signature: "a..b", idempotencyKey: "a/1", batchSeq: 1)
        let took = ContinuousClock.now - started
        await upstream.shutdown()
        guard case .unreachable(let reason) = outcome else {
            Issue.record("a refused connection was taken as \(outcome)")
            return
        }
        #expect(!reason.isEmpty)
        #expect(outcome.isRetry)
        // A liveness bound far below the connect timeout the client would otherwise spend.
        #expect(took < .seconds(20), "took \(took)")
    }
}
