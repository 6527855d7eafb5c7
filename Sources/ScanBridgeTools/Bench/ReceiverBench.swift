import Foundation
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeUpstream
import ScanBridgeWire
import Synchronization

/// `scanbridge bench receiver`: how many events and batches one receiver process stores per
/// second on a given store, and how long the verify + commit of one batch takes when many
/// agents post at once.
///
/// Each simulated agent has its own key (enrolled in the store, as in production) and its own
/// HTTP client, and posts its chain one batch at a time, waiting for each answer as the
/// forwarder does. Batches are built and signed before the clock starts, so the figures are
/// the receiver's, not the signers'.
public struct ReceiverBench: Sendable {
    public struct Options: Sendable {
        public var agents = 50
        public var batchesPerAgent = 40
        public var eventsPerBatch = 100
        /// A SQLite file or a postgres:// URL; nil: a new SQLite file in a temporary directory.
        public var store: String?

        public init() {}
    }

    public struct Report: Sendable {
        public var store = "sqlite"
        public var agents = 0
        public var batches = 0
        public var events = 0
        public var seconds = 0.0
        public var eventsPerSecond = 0.0
        public var batchesPerSecond = 0.0
        public var verifyCommitP50 = 0.0
        public var verifyCommitP99 = 0.0
        public var verifyP50 = 0.0
        public var commitP50 = 0.0
        public var requestP99 = 0.0

        public func json() -> String {
            func number(_ value: Double) -> String {
                let rounded = (value * 100).rounded() / 100
                return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
            }
            let fields: [(String, String)] = [
                ("store", "\"\(store)\""), ("agents", "\(agents)"), ("batches", "\(batches)"), ("events", "\(events)"),
                ("seconds", number(seconds)), ("events_per_s", number(eventsPerSecond)),
                ("batches_per_s", number(batchesPerSecond)), ("verify_commit_p50_ms", number(verifyCommitP50)),
                ("verify_commit_p99_ms", number(verifyCommitP99)), ("verify_p50_ms", number(verifyP50)),
                ("commit_p50_ms", number(commitP50)), ("request_p99_ms", number(requestP99)),
            ]
            return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        var logger = Logger(label: "scanbridge.bench.receiver")
        logger.logLevel = .critical
        // A store the bench made for itself is deleted after a successful run (it holds every
        // batch it sent); one given with --store is the operator's.
        let scratch = options.store == nil ? try DemoRun.temporaryDirectory() : nil
        let location = try ReceiverStoreLocation(options.store ?? scratch! + "/receiver.sqlite")
        let store = try await location.open(logger: logger)
        do {
            let report = try await measure(store: store, location: location, logger: logger, progress: progress)
            await store.close()
            if let scratch { try? FileManager.default.removeItem(atPath: scratch) }
            return report
        } catch {
            await store.close()
            throw error
        }
    }

    private func measure(
        store: any ReceiverStorage, location: ReceiverStoreLocation, logger: Logger,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> Report {
        var report = Report()
        if case .postgres = location { report.store = "postgres" }

        // Agents, keys and every signed batch, before the clock starts.
        let run = String(UUIDv7().description.suffix(12))
        var chains: [[(body: [UInt8], signature: String, key: String, batchSeq: Int64)]] = []
        for index in 0..<options.agents {
            let key = SigningKey()
            let agentID = "bench-\(run)-\(index)"
            _ = try await store.enrol([key.publicJWK], agentID: agentID)
            var previous: String?
            var seq: Int64 = 1
            var chain: [(body: [UInt8], signature: String, key: String, batchSeq: Int64)] = []
            for batchSeq in 1...Int64(options.batchesPerAgent) {
                let events = (0..<options.eventsPerBatch).map { offset in
                    Self.event(seq: seq + Int64(offset), agent: index)
                }
                seq += Int64(options.eventsPerBatch)
                let body = BatchBody.build(
                    agentID: agentID, batchSeq: batchSeq, previousSHA256: previous, createdAt: .now(), events: events)
                previous = BatchBody.sha256Hex(body)
                chain.append((body, try DetachedJWS.sign(body, with: key), "\(agentID)/\(batchSeq)", batchSeq))
            }
            chains.append(chain)
        }
        progress(
            "\(options.agents) agents enrolled, \(options.agents * options.batchesPerAgent) batches of \(options.eventsPerBatch) events signed; store \(location)"
        )

        let spent = Mutex<[(verify: Double, commit: Double)]>([])
        let intake = BatchIntake(
            store: store, logger: logger,
            observer: { decision in
                guard decision.result == .accepted, let verify = decision.verify, let commit = decision.commit else {
                    return
                }
                spent.withLock { $0.append((Self.milliseconds(verify), Self.milliseconds(commit))) }
            })
        let receiver = ReceiverSwitch(intake: intake)
        let port = try await receiver.start(port: 0)
        let url = "http://127.0.0.1:\(port)/v1/scan-batches"
        let clients = try chains.indices.map { _ in try HTTPUpstream(url: url, timeoutMilliseconds: 60_000) }

        let started = ContinuousClock.now
        let requests = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (chain, client) in zip(chains, clients) {
                group.addTask {
                    var times: [Double] = []
                    for batch in chain {
                        var attempts = 0
                        while true {
                            let sent = ContinuousClock.now
                            let outcome = await client.deliver(
                                body: batch.body, signature: batch.signature, idempotencyKey: batch.key,
                                batchSeq: batch.batchSeq)
                            let took = ContinuousClock.now - sent
                            times.append(Self.milliseconds(took))
                            if case .accepted = outcome { break }
                            attempts += 1
                            guard attempts < 5, case .retry = outcome else {
                                throw DemoError("batch \(batch.key) was not accepted: \(outcome)")
                            }
                        }
                    }
                    return times
                }
            }
            var all: [Double] = []
            for try await times in group { all += times }
            return all
        }
        let elapsed = ContinuousClock.now - started
        for client in clients { await client.shutdown() }
        await receiver.stop()

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        report.agents = options.agents
        report.batches = options.agents * options.batchesPerAgent
        report.events = report.batches * options.eventsPerBatch
        report.seconds = seconds
        report.eventsPerSecond = Double(report.events) / seconds
        report.batchesPerSecond = Double(report.batches) / seconds
        let phases = spent.withLock { $0 }
        let latencies = phases.map { $0.verify + $0.commit }
        report.verifyCommitP50 = percentile(latencies, 50)
        report.verifyCommitP99 = percentile(latencies, 99)
        report.verifyP50 = percentile(phases.map(\.verify), 50)
        report.commitP50 = percentile(phases.map(\.commit), 50)
        report.requestP99 = percentile(requests, 99)

        // Everything sent is stored, in unbroken chains.
        let summaries = try await store.agentSummaries().filter { $0.agentID.hasPrefix("bench-\(run)-") }
        let expected = Int64(options.batchesPerAgent * options.eventsPerBatch)
        guard summaries.count == options.agents,
            summaries.allSatisfy({ $0.lastEventSeq == expected && $0.gaps.isEmpty })
        else { throw DemoError("the store does not hold every event sent") }
        progress(
            "stored \(report.events) events in \(report.batches) batches in \(String(format: "%.2f", seconds)) s")
        return report
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// A barcode scan as the agent would serialise it, about 330 bytes.
    static func event(seq: Int64, agent: Int) -> [UInt8] {
        let text = "]C101" + String(format: "%013d", seq) + "0"
        var data = JSONWriter()
        data.beginObject()
        data.field("text", text)
        data.endObject()
        return PendingEvent(
            type: .barcodeScanned, occurredAt: .now(),
            device: DeviceIdentity(id: "bench-\(agent)", transport: .serial), data: data.bytes, raw: Array(text.utf8)
        ).serialized(seq: seq)
    }
}
