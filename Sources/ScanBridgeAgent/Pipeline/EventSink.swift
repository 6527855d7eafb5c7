import Logging
import ScanBridgeCore
import ScanBridgeStore

/// Where every reader's events go: the outbox, with storage-full handling, counters,
/// metrics and the operator's log lines.
public struct EventSink: Sendable {
    let outbox: OutboxWriter
    let storage: StorageState
    let counters: AgentCounters
    let logger: Logger
    let metrics: AgentMetrics?

    /// Tells the operator, in plain words, about payloads held back and shapes never seen.
    private func report(_ entries: [OutboxEntry]) {
        for entry in entries {
            switch entry.event.type {
            case .payloadQuarantined:
                let reason = entry.quarantine?.reason ?? "rejected"
                logger.warning(
                    "payload held in quarantine: \(reason) — see `scanbridge quarantine list`",
                    metadata: ["quarantine_id": "\(entry.event.id)", "profile": "\(entry.event.device.profile ?? "-")"])
            case .schemaDriftDetected:
                logger.error(
                    "payload shape changed: this device sends a structure its earlier payloads never had — check its firmware and profile \(entry.event.device.profile ?? "-")"
                )
            default:
                break
            }
        }
    }

    /// Whether to stop retrying because the agent is stopping; the entries were never counted
    /// as received, and the log says what was not stored.
    private func giveUpWhenStopping(_ entries: [OutboxEntry], reason: String) -> Bool {
        guard storage.isStopping else { return false }
        logger.critical(
            "stopping with \(entries.count) event(s) read but not stored (\(reason)); they were never counted or sent",
            metadata: ["device": "\(entries.first?.event.device.id ?? "-")"])
        return true
    }

    /// Counts one feedback delivery in the counters (`status`) and `scanbridge_feedback_total`.
    func recordFeedback(device: String, kind: String, result: AgentCounters.FeedbackResult) {
        counters.update { $0.feedback[result, default: 0] += 1 }
        metrics?.feedback(device: device, kind: kind, result: result.rawValue)
    }

    /// Retries a failed commit (disk full, I/O error) until it succeeds or the agent stops:
    /// nothing read is dropped, and the device is not read further meanwhile.
    public func store(_ entries: [OutboxEntry]) async {
        guard !entries.isEmpty else { return }
        var delay = 100
        while true {
            do {
                try await outbox.append(entries)
                if storage.markRecovered() {
                    logger.notice("storage recovered: scans are stored again")
                }
                report(entries)
                metrics?.stored(entries)
                let scanned = entries.filter { $0.event.type == .barcodeScanned }.count
                let observed = entries.filter { $0.event.type == .rfidObserved }.count
                let quarantined = entries.filter { $0.event.type == .payloadQuarantined }.count
                counters.update {
                    $0.scanned += scanned
                    $0.observed += observed
                    $0.quarantined += quarantined
                }
                return
            } catch StoreError.diskFull(let path) {
                if storage.markFull() {
                    logger.critical(
                        "storage full (\(path)): scans are NOT being stored and this device is not read until space returns; acknowledged data is pruned as the upstream confirms it"
                    )
                }
                counters.update { $0.lastError = "storage full" }
                if giveUpWhenStopping(entries, reason: "storage full") { return }
                try? await Task.sleep(for: .milliseconds(delay))
                delay = min(delay * 2, 1000)
                if Task.isCancelled { return }
            } catch {
                logger.error("cannot store scans: \(error)")
                counters.update { $0.lastError = "\(error)" }
                if giveUpWhenStopping(entries, reason: "\(error)") { return }
                try? await Task.sleep(for: .milliseconds(delay))
                delay = min(delay * 2, 1000)
                if Task.isCancelled { return }
            }
        }
    }
}
