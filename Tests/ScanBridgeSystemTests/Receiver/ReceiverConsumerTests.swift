import Foundation
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

/// `scanbridge receive consumer add | list | revoke` and the bearer tokens the feed, the agents
/// and the metrics demand, with real receiver processes sharing one store.
@Suite("Receiver feed consumers", .serialized, .childProcesses)
struct ReceiverConsumerTests {
    @Test("SQLite: only a live consumer's token reads the feed, agents and metrics of every receiver")
    func sqlite() async throws {
        let directory = TestSupport.temporaryDirectory("consumers")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.check(store: directory + "/receiver.sqlite")
    }

    @Test(
        "PostgreSQL: only a live consumer's token reads the feed, agents and metrics of every receiver",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func postgres() async throws {
        try await Self.check(store: try await PostgresTestSupport.freshDatabase("consumers"))
    }

    static let guarded = ["/v1/events", "/v1/events?limit=1", "/v1/agents", "/v1/agents/agent-x", "/metrics"]

    static func check(store: String) async throws {
        func scanbridge(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await ConsumerTestSupport.run(["receive", "consumer"] + arguments + ["--store", store])
        }
        let added = try await scanbridge("add", "--name", "finance")
        #expect(added.status == 0, "\(added.stderr)")
        let lines = added.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line: \(added.stdout)")
        let finance = String(lines[0])
        #expect(finance.utf8.count == 43, "256 bits, base64url: \(finance)")
        let again = try await scanbridge("add", "--name", "finance")
        #expect(again.status == 1 && again.stderr.contains("already exists") && again.stdout.isEmpty)
        let json = try await scanbridge("add", "--name", "grafana", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String])
        #expect(Set(object.keys) == ["name", "token"] && object["name"] == "grafana")
        let grafana = try #require(object["token"])
        #expect(grafana != finance)

        // Two receivers of the store: neither caches what the other's store says.
        let first = try await ReceiverProcess.start(store: store)
        let second: ReceiverProcess
        do { second = try await ReceiverProcess.start(store: store) } catch {
            _ = await first.stop()
            throw error
        }
        let http = ReceiverHTTP()
        do {
            try await requests(receivers: [first, second], http: http, finance: finance, grafana: grafana) {
                try await scanbridge($0, "--name", "finance")
            }
            try await listing(try await scanbridge("list", "--json"))
        } catch {
            await http.shutdown()
            _ = await first.stop()
            _ = await second.stop()
            throw error
        }
        await http.shutdown()
        #expect(await first.stop() == 0, "\(first.log)")
        #expect(await second.stop() == 0, "\(second.log)")
        let unknown = try await scanbridge("revoke", "--name", "nobody")
        #expect(unknown.status == 1 && unknown.stderr.contains("consumer list"), "\(unknown.stderr)")
    }

    static func requests(
        receivers: [ReceiverProcess], http: ReceiverHTTP, finance: String, grafana: String,
        revokeFinance: (String) async throws -> (status: Int32, stdout: String, stderr: String)
    ) async throws {
        for receiver in receivers {
            for path in guarded {
                for header in [nil, "Bearer ", "Bearer " + String(finance.reversed()), "Basic " + finance, finance] {
                    let refused = try await http.get(receiver.url + path, authorization: header)
                    #expect(refused.status == 401 && refused.isJSON(["error": "unauthorized"]), "\(path) \(refused)")
                    #expect(refused.header("WWW-Authenticate") == "Bearer", "\(path)")
                }
                let allowed = try await http.get(receiver.url + path, authorization: "Bearer " + finance)
                #expect([200, 404].contains(allowed.status), "\(path): \(allowed.status) \(allowed.body)")
                #expect(path != "/v1/agents/agent-x" || allowed.isJSON(["error": "unknown_agent"]))
            }
            let health = try await http.get(receiver.url + "/healthz")
            #expect(health.status == 200 && health.isJSON(["status": "alive"]))
            let ready = try await http.get(receiver.url + "/readyz")
            #expect(ready.status == 200 && ready.isJSON(["status": "ready"]))
        }
        let revoked = try await revokeFinance("revoke")
        #expect(revoked.status == 0 && revoked.stdout.hasPrefix("revoked consumer finance at "), "\(revoked)")
        for receiver in receivers {
            let refused = try await http.get(receiver.url + "/v1/events", authorization: "Bearer " + finance)
            #expect(refused.status == 401, "a revoked token still reads the feed: \(refused.body)")
            let other = try await http.get(receiver.url + "/metrics", authorization: "bearer " + grafana)
            #expect(other.status == 200 && other.body.contains("scanbridge_receiver_agents"))
        }
    }

    static func listing(_ listed: (status: Int32, stdout: String, stderr: String)) async throws {
        #expect(listed.status == 0, "\(listed.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let consumers = try #require(json["consumers"] as? [[String: Any]])
        #expect(consumers.compactMap { $0["name"] as? String } == ["finance", "grafana"])
        for consumer in consumers {
            #expect(Set(consumer.keys) == ["name", "created_at", "last_used_at", "revoked"], "\(consumer)")
            #expect(consumer["last_used_at"] is String, "used above: \(consumer)")
        }
        #expect(consumers.map { $0["revoked"] as? Bool } == [true, false])
    }
}
