import CoreMetrics
import Metrics
import Prometheus
import ScanBridgeCore
import ScanBridgeStore
import Synchronization

/// The agent's Prometheus metrics. The names are a contract (operators' dashboards and alerts
/// rely on them; docs/operations.md). Each agent has its own registry, so several agents in
/// one process (tests, the demo) never mix their numbers.
public final class AgentMetrics: Sendable {
    public enum BatchResult: String, Sendable, CaseIterable {
        case accepted, `repeat`, retry, parked
    }

    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let events = Mutex<[String: CoreMetrics.Counter]>([:])
    private let quarantined = Mutex<[String: CoreMetrics.Counter]>([:])
    private let feedbackCounters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let batches: [BatchResult: CoreMetrics.Counter]
    private let uploadDuration: CoreMetrics.Timer
    private let backlog: CoreMetrics.Gauge
    private let backlogAge: CoreMetrics.Gauge
    private let devicesConnected: CoreMetrics.Gauge
    private let driftAlerts: CoreMetrics.Gauge
    private let stateWriteFailures: CoreMetrics.Counter
    private let signedBytes: CoreMetrics.Counter
    private let sentBytes: CoreMetrics.Counter

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["scanbridge_upload_duration_seconds"] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30),
        ]
        self.factory = factory
        var batches: [BatchResult: CoreMetrics.Counter] = [:]
        for result in BatchResult.allCases {
            batches[result] = CoreMetrics.Counter(
                label: "scanbridge_batches_total", dimensions: [("result", result.rawValue)], factory: factory)
        }
        self.batches = batches
        uploadDuration = CoreMetrics.Timer(label: "scanbridge_upload_duration_seconds", factory: factory)
        backlog = CoreMetrics.Gauge(label: "scanbridge_backlog_events", factory: factory)
        backlogAge = CoreMetrics.Gauge(label: "scanbridge_backlog_oldest_age_seconds", factory: factory)
        devicesConnected = CoreMetrics.Gauge(label: "scanbridge_devices_connected", factory: factory)
        driftAlerts = CoreMetrics.Gauge(label: "scanbridge_drift_alerts_open", factory: factory)
        stateWriteFailures = CoreMetrics.Counter(label: "scanbridge_state_write_failures_total", factory: factory)
        signedBytes = CoreMetrics.Counter(
            label: "scanbridge_upstream_bytes_total", dimensions: [("body", "signed")], factory: factory)
        sentBytes = CoreMetrics.Counter(
            label: "scanbridge_upstream_bytes_total", dimensions: [("body", "sent")], factory: factory)
    }

    /// Creates a device's counters at 0 when it attaches: an alert rule's `increase()` sees
    /// nothing in a series that first appears at 1, so the first quarantine after a restart
    /// would raise no alert (Prometheus' advice: initialise the label values you know).
    func attached(device: String, kind: String) {
        let types: [EventType] =
            switch kind {
            case "scanner": [.barcodeScanned, .payloadQuarantined]
            case "reader": [.rfidObserved, .payloadQuarantined]
            default: [.barcodeScanned, .rfidObserved, .payloadQuarantined]
            }
        for type in types { _ = eventCounter(device: device, type: type.rawValue) }
        _ = quarantineCounter(device: device)
    }

    /// Counts events as they are committed (never before: a metric must not claim a scan the
    /// store does not hold).
    func stored(_ entries: [OutboxEntry]) {
        for entry in entries {
            let device = entry.event.device.id
            let type = entry.event.type.rawValue
            eventCounter(device: device, type: type).increment()
            if entry.event.type == .payloadQuarantined { quarantineCounter(device: device).increment() }
        }
    }

    private func eventCounter(device: String, type: String) -> CoreMetrics.Counter {
        counter(in: events, key: device + "\u{0}" + type) {
            CoreMetrics.Counter(
                label: "scanbridge_events_total", dimensions: [("device", device), ("type", type)], factory: factory)
        }
    }

    private func quarantineCounter(device: String) -> CoreMetrics.Counter {
        counter(in: quarantined, key: device) {
            CoreMetrics.Counter(
                label: "scanbridge_quarantined_total", dimensions: [("device", device)], factory: factory)
        }
    }

    /// `scanbridge_feedback_total{device,kind,result}`: kind `error` or `ok`, result `sent`,
    /// `failed` or `shown` (on the status page).
    func feedback(device: String, kind: String, result: String) {
        counter(in: feedbackCounters, key: device + "\u{0}" + kind + "\u{0}" + result) {
            CoreMetrics.Counter(
                label: "scanbridge_feedback_total",
                dimensions: [("device", device), ("kind", kind), ("result", result)],
                factory: factory)
        }.increment()
    }

    func batch(_ result: BatchResult) {
        batches[result]?.increment()
    }

    /// Batch bodies that reached the upstream: as signed, and as sent (compressed or not).
    func uploaded(signedBytes signed: Int, sentBytes sent: Int) {
        signedBytes.increment(by: Int64(signed))
        sentBytes.increment(by: Int64(sent))
    }

    func stateWriteFailed() {
        stateWriteFailures.increment()
    }

    func upload(took duration: Duration) {
        uploadDuration.recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Sets the gauges read from the store and the device states just before a scrape.
    func refresh(status: OutboxStatus?, devicesConnected count: Int, now: Timestamp) {
        devicesConnected.record(count)
        guard let status else { return }
        backlog.record(status.backlogEvents)
        let age =
            status.oldestUnsentAt.map { Double(now.microsecondsSinceEpoch - $0.microsecondsSinceEpoch) / 1e6 } ?? 0
        backlogAge.record(max(0, age))
        driftAlerts.record(status.alerts.count)
    }

    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    private func counter(
        in table: borrowing Mutex<[String: CoreMetrics.Counter]>, key: String, make: () -> CoreMetrics.Counter
    ) -> CoreMetrics.Counter {
        table.withLock { table in
            if let existing = table[key] { return existing }
            let made = make()
            table[key] = made
            return made
        }
    }
}
