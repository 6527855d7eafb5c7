import Prometheus
import ScanBridgeCore
import Synchronization

/// The receiver's Prometheus metrics (`GET /metrics`). The names are a contract for
/// dashboards and alerts (docs/wire-format.md); each receiver has its own registry.
public final class ReceiverMetrics: Sendable {
    /// Every way a posted batch can end, as the `result` label.
    public enum Result: String, Sendable, CaseIterable {
        case accepted, `repeat`, conflict, outOfOrder = "out_of_order", chainBroken = "chain_broken"
        case badSignature = "bad_signature", unknownKey = "unknown_key", wrongAgent = "wrong_agent"
        case malformed, tooLarge = "too_large", storeUnavailable = "store_unavailable"
    }

    public let registry = PrometheusCollectorRegistry()
    private let batches: [Result: Counter]
    private let events: Counter
    private let verifyDuration: DurationHistogram
    private let commitDuration: DurationHistogram
    private let agents: Gauge
    private let lags = Mutex<[String: Gauge]>([:])

    public init() {
        var batches: [Result: Counter] = [:]
        for result in Result.allCases {
            batches[result] = registry.makeCounter(
                descriptor: Self.name("batches", "total", "Batches posted, by how they ended"),
                labels: [("result", result.rawValue)])
        }
        self.batches = batches
        events = registry.makeCounter(
            descriptor: Self.name("events", "total", "Events stored (accepted batches only)"))
        let buckets: [Duration] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        verifyDuration = registry.makeDurationHistogram(
            descriptor: Self.name("verify_duration", "seconds", "Key lookup, signature check and parsing of one batch"),
            buckets: buckets)
        commitDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "commit_duration", "seconds", "The store's transaction for one batch (chain check and commit)"),
            buckets: buckets)
        agents = registry.makeGauge(descriptor: Self.name("agents", "", "Agents enrolled or holding batches"))
    }

    func record(_ result: Result, events count: Int, verify: Duration?, commit: Duration?) {
        batches[result]?.increment()
        if result == .accepted { events.increment(by: Int64(count)) }
        if let verify { verifyDuration.record(verify) }
        if let commit { commitDuration.record(commit) }
    }

    /// Sets the per-agent lag (now − newest `occurred_at`) just before a scrape.
    public func refresh(agents summaries: [AgentSummary], now: Timestamp) {
        agents.set(Int64(summaries.count))
        for summary in summaries {
            guard let lag = summary.lagSeconds(now: now) else { continue }
            let gauge = lags.withLock { gauges in
                if let existing = gauges[summary.agentID] { return existing }
                let made = registry.makeGauge(
                    descriptor: Self.name(
                        "agent_lag", "seconds", "Now minus the newest occurred_at received from the agent"),
                    labels: [("agent_id", summary.agentID)])
                gauges[summary.agentID] = made
                return made
            }
            gauge.set(lag)
        }
    }

    /// `scanbridge_receiver_<metric>_<unit>`.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "scanbridge", subsystem: "receiver", metricName: metric, unitName: unit, helpText: help)
    }

    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
