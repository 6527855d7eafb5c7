import Foundation
import Logging
import PostgresNIO
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// PostgreSQL work is bounded by the server's `statement_timeout`/`lock_timeout`, since
/// postgres-nio ignores task cancellation.
@Suite("Receiver store timeouts", .temporaryDirectory)
struct ReceiverStoreTimeoutTests {
    @Test(
        "PostgreSQL: a batch behind another session's row lock answers 503 with Retry-After within the timeout; accepted once the lock goes",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func heldAgentRowLock() async throws {
        let url = try await PostgresTestSupport.freshDatabase("locked")
        let store = try await ReceiverStoreLocation(url).open(
            logger: StoreBackend.quietLogger, statementTimeout: .milliseconds(500))
        let key = SigningKey()
        try await TestReceiver.serving(store) { receiver, http in
            _ = try await store.enrol([key.publicJWK], agentID: "agent-locked")
            let holder = try await Self.connect(url)
            do {
                try await Self.postBehindLock(held: holder, receiver: receiver, http: http, key: key)
            } catch {
                _ = try? await holder.query("ROLLBACK", logger: StoreBackend.quietLogger)
                try? await holder.close()
                throw error
            }
            try await holder.close()
        }
    }

    static func postBehindLock(
        held holder: PostgresConnection, receiver: TestReceiver<any ReceiverStorage>, http: ReceiverHTTP,
        key: SigningKey
    ) async throws {
        var factory = BatchFactory(key: key, agentID: "agent-locked")
        let batch = try factory.next(events: 3)
        try await holder.query("BEGIN", logger: StoreBackend.quietLogger)
        _ = try await holder.query(
            "SELECT agent_id FROM receiver_agents WHERE agent_id = 'agent-locked' FOR UPDATE",
            logger: StoreBackend.quietLogger
        ).collect()
        // Several at once: each must give its connection back, not keep it waiting.
        let started = ContinuousClock.now
        let answers = try await withThrowingTaskGroup(of: ReceiverHTTP.Answer.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await http.post(receiver.url, body: batch.body, signature: batch.jws, timeout: .seconds(15))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started
        for answer in answers {
            #expect(answer.status == 503 && answer.isJSON(["error": "store_unavailable"]), "\(answer.body)")
            #expect(answer.header("Retry-After") == "2")
        }
        #expect(elapsed < .seconds(5), "answered after \(elapsed) with a 500 ms timeout")
        try await holder.query("ROLLBACK", logger: StoreBackend.quietLogger)
        let accepted = try await http.post(receiver.url, body: batch.body, signature: batch.jws)
        #expect(accepted.body == #"{"status":"accepted","batch_seq":1}"#)
        let ready = try await http.get(receiver.url + "/readyz")
        #expect(ready.status == 200)
    }

    /// A session of its own, outside the receiver's pool.
    static func connect(_ url: String) async throws -> PostgresConnection {
        let location = try PostgresLocation(url)
        return try await PostgresConnection.connect(
            configuration: .init(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: .disable),
            id: 2, logger: StoreBackend.quietLogger)
    }
}
