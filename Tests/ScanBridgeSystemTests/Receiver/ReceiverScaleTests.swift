import Foundation
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire
import Synchronization
import Testing

@testable import ScanBridgeTestSupport

/// Issue 13's concurrency test: two real receiver processes on one PostgreSQL, fifty agents
/// posting to both at random with duplicates, races, reorderings and conflicts, and a feed
/// consumer that keeps restarting while they do.
@Suite("Receiver at scale", .serialized, .childProcesses)
struct ReceiverScaleTests {
    /// One simulated agent: its key, its chain, and a conflicting twin of every batch.
    struct Signer: Sendable {
        let agentID: String
        let key: SigningKey
        let batches: [(body: [UInt8], jws: String)]
        let twins: [(body: [UInt8], jws: String)]
        let events: Int64

        init(index: Int) throws {
            agentID = "agent-\(index)"
            key = SigningKey()
            var factory = BatchFactory(key: key, agentID: agentID)
            var batches: [(body: [UInt8], jws: String)] = []
            var twins: [(body: [UInt8], jws: String)] = []
            for _ in 0..<Int.random(in: 6...14) {
                var twin = factory
                twins.append(try twin.next(events: Int.random(in: 1...5)))
                batches.append(try factory.next(events: Int.random(in: 1...20)))
            }
            self.batches = batches
            self.twins = twins
            events = factory.nextSeq - 1
        }
    }

    /// What the senders saw: every answer must be one the contract allows, and each batch is
    /// answered "accepted" exactly once across both receivers.
    final class Ledger: Sendable {
        let accepted = Mutex<[String: Int]>([:])
        let problems = Mutex<[String]>([])
        let answers = Mutex<[String: Int]>([:])

        func note(_ what: String) { answers.withLock { $0[what, default: 0] += 1 } }
        func problem(_ text: String) { problems.withLock { $0.append(text) } }
    }

    @Test(
        "two receivers, 50 agents, duplicates and reorderings: each event once, chains intact, the feed complete across consumer restarts",
        .enabled(if: PostgresTestSupport.available, PostgresTestSupport.skipped))
    func twoReceiversOnePostgres() async throws {
        let store = try await PostgresTestSupport.freshDatabase("scale")
        // Both start on an empty database at once: their migrations must take turns.
        async let first = ReceiverProcess.start(store: store)
        async let second = ReceiverProcess.start(store: store)
        let receivers = try await [first, second]
        let urls = receivers.map(\.url)

        let signers = try (0..<50).map(Signer.init)
        let directory = TestSupport.temporaryDirectory("scale")
        try Data(signers[0].key.publicJWK.json.utf8).write(to: URL(fileURLWithPath: directory + "/agent-0.jwk"))
        let enrol = try AuditCommandTests.scanbridge([
            "receive", "enrol", "--store", store, "--jwk", directory + "/agent-0.jwk", "--agent", "agent-0",
        ])
        #expect(enrol.status == 0, "\(enrol.output)")
        let admin = try await StoreBackend.postgres.open(store)
        for signer in signers.dropFirst() { _ = try await admin.enrol([signer.key.publicJWK], agentID: signer.agentID) }

        let added = try await ConsumerTestSupport.run([
            "receive", "consumer", "add", "--store", store, "--name", "finance",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let token = added.stdout.trimmingCharacters(in: .newlines)
        let ledger = Ledger()
        let done = Flag()
        // Finance systems reading while batches arrive, close behind the newest commit: small
        // pages and whole pages, each restarting now and then.
        let consumers = [20, 1000, 50, 1000].map { limit in
            Task { try await Self.consume(urls: urls, largestPage: limit, token: token, until: done) }
        }
        let http = ReceiverHTTP(connectionsPerHost: 64)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for signer in signers {
                group.addTask { try await Self.drive(signer, urls: urls, http: http, ledger: ledger) }
            }
            try await group.waitForAll()
        }
        done.value.store(true, ordering: .sequentiallyConsistent)
        var feeds: [Feed] = []
        for consumer in consumers { feeds.append(try await consumer.value) }
        await http.shutdown()

        #expect(ledger.problems.withLock { $0 }.isEmpty, "\(ledger.problems.withLock { $0.prefix(20) })")
        let accepted = ledger.accepted.withLock { $0 }
        for signer in signers {
            for batchSeq in 1...signer.batches.count {
                #expect(
                    accepted["\(signer.agentID)/\(batchSeq)"] == 1,
                    "\(signer.agentID)/\(batchSeq) accepted \(accepted["\(signer.agentID)/\(batchSeq)"] ?? 0) times")
            }
        }
        let answers = ledger.answers.withLock { $0 }
        for kind in ["accepted", "repeat", "out_of_order", "conflict"] {
            #expect(answers[kind, default: 0] > 0, "no \(kind) answer was provoked: \(answers)")
        }

        // The database holds each chain whole, once.
        let summaries = try await admin.agentSummaries()
        #expect(summaries.count == 50)
        for signer in signers {
            let summary = try #require(summaries.first { $0.agentID == signer.agentID })
            #expect(summary.lastBatchSeq == Int64(signer.batches.count))
            #expect(summary.lastEventSeq == signer.events && summary.gaps.isEmpty)
        }

        // Each consumer got every event exactly once, each agent's in order, across restarts.
        let total = signers.reduce(0) { $0 + Int($1.events) }
        for feed in feeds {
            #expect(feed.events.count == total, "feed returned \(feed.events.count) of \(total) events")
            let byAgent = Dictionary(grouping: feed.events, by: \.agentID).mapValues { $0.map(\.seq) }
            for signer in signers where byAgent[signer.agentID] != Array(1...signer.events) {
                let seen = byAgent[signer.agentID] ?? []
                Issue.record(
                    "\(signer.agentID): feed gave \(seen.count) of \(signer.events) events, missing \(Set(1...signer.events).subtracting(seen).sorted().prefix(10))"
                )
            }
            #expect(feed.restarts > 0 && feed.pagesDuringIngest > 0)
        }

        // And the evidence verifies independently of the receivers.
        let jwks = #"{"keys":["# + signers.map(\.key.publicJWK.json).joined(separator: ",") + "]}"
        try Data(jwks.utf8).write(to: URL(fileURLWithPath: directory + "/agents.jwks"))
        let verify = try AuditCommandTests.scanbridge([
            "verify", "--store", store, "--trust", directory + "/agents.jwks",
        ])
        #expect(verify.status == 0, "\(verify.output.suffix(2000))")
        #expect(verify.output.components(separatedBy: "\n").filter { $0.hasPrefix("ok agent-") }.count == 50)

        await admin.close()
        for receiver in receivers {
            let status = await receiver.stop()
            #expect(status == 0, "receiver exited \(status) after SIGTERM: \(receiver.log.suffix(2000))")
            #expect(!receiver.log.contains("store failed"), "\(receiver.log.suffix(2000))")
        }
    }

    /// Posts a signer's chain the way a confused network would: mostly in order to either
    /// receiver, sometimes to both at once, sometimes a batch ahead, an old batch again, or a
    /// conflicting twin of one already stored.
    static func drive(_ signer: Signer, urls: [String], http: ReceiverHTTP, ledger: Ledger) async throws {
        var next = 0
        func post(_ batch: (body: [UInt8], jws: String), to url: String) async throws -> ReceiverHTTP.Answer {
            try await http.post(url, body: batch.body, signature: batch.jws)
        }
        func record(_ answer: ReceiverHTTP.Answer, batchSeq: Int, expecting: Set<String>) {
            let kind = (answer.json?["status"] as? String) ?? (answer.json?["error"] as? String) ?? "?"
            ledger.note(kind)
            if kind == "accepted" { ledger.accepted.withLock { $0["\(signer.agentID)/\(batchSeq)", default: 0] += 1 } }
            if answer.status >= 500 || !expecting.contains(kind) {
                ledger.problem("\(signer.agentID)/\(batchSeq): \(answer.status) \(answer.body), expected \(expecting)")
            }
            if answer.status == 409, answer.json?["expected_batch_seq"] as? Int != next + 1 {
                ledger.problem(
                    "\(signer.agentID)/\(batchSeq): \(answer.body), expected_batch_seq should be \(next + 1)")
            }
        }
        while next < signer.batches.count {
            let roll = Int.random(in: 0..<100)
            let url = urls.randomElement()!
            switch roll {
            case 0..<55:
                let answer = try await post(signer.batches[next], to: url)
                record(answer, batchSeq: next + 1, expecting: ["accepted"])
                if answer.status == 200 { next += 1 }
            case 55..<70:
                let batch = signer.batches[next]
                async let one = post(batch, to: urls[0])
                async let other = post(batch, to: urls[1])
                let answers = try await [one, other]
                for answer in answers { record(answer, batchSeq: next + 1, expecting: ["accepted", "repeat"]) }
                if answers.contains(where: { $0.status == 200 }) { next += 1 }
            case 70..<80 where next + 1 < signer.batches.count:
                let ahead = Int.random(in: next + 1...min(next + 3, signer.batches.count - 1))
                record(try await post(signer.batches[ahead], to: url), batchSeq: ahead + 1, expecting: ["out_of_order"])
            case 80..<92 where next > 0:
                let old = Int.random(in: 0..<next)
                record(try await post(signer.batches[old], to: url), batchSeq: old + 1, expecting: ["repeat"])
            case 92..<100 where next > 0:
                let old = Int.random(in: 0..<next)
                record(try await post(signer.twins[old], to: url), batchSeq: old + 1, expecting: ["conflict"])
            default:
                continue
            }
        }
    }

    final class Flag: Sendable {
        let value = Atomic(false)
    }

    struct Feed {
        var events: [(agentID: String, seq: Int64)] = []
        var restarts = 0
        var pagesDuringIngest = 0
    }

    /// A finance system reading the feed while batches arrive: pages of random size from
    /// either receiver; now and then it "restarts", keeping only its saved cursor.
    static func consume(urls: [String], largestPage: Int, token: String, until done: Flag) async throws -> Feed {
        var feed = Feed()
        var checkpoint: String?
        var http = ReceiverHTTP(token: token)
        var requests = 0
        while true {
            requests += 1
            // Every fifth request at least: a consumer that needs only a few large pages must
            // restart too (a purely random restart left one with none, now and then).
            if requests % 5 == 0 || Int.random(in: 0..<20) == 0 {
                await http.shutdown()
                http = ReceiverHTTP(token: token)
                feed.restarts += 1
            }
            let finished = done.value.load(ordering: .sequentiallyConsistent)
            let after = checkpoint.map { "&after=" + $0 } ?? ""
            let answer = try await http.get(
                urls.randomElement()! + "/v1/events?limit=\(Int.random(in: 1...largestPage))" + after)
            guard answer.status == 200, let json = answer.json, let events = json["events"] as? [[String: Any]],
                let next = json["next_cursor"] as? String
            else {
                await http.shutdown()
                throw ReceiverProcess.Failure(description: "feed answered \(answer.status) \(answer.body)")
            }
            for entry in events {
                guard let agentID = entry["agent_id"] as? String, let event = entry["event"] as? [String: Any],
                    let seq = (event["seq"] as? NSNumber)?.int64Value
                else { continue }
                feed.events.append((agentID, seq))
            }
            checkpoint = next
            if !finished, !events.isEmpty { feed.pagesDuringIngest += 1 }
            if events.isEmpty {
                if finished { break }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        await http.shutdown()
        return feed
    }
}
