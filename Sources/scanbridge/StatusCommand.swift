import ArgumentParser
import FoundationEssentials
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeCore
import ScanBridgeStore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Backlog, last acknowledgement and per-device counts, from the state database."
    )

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        let configuration = options.load()
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
            Failure(
                "\(configuration.databasePath): no state database yet — has `scanbridge run` been started with this config?"
            ).exit()
        }
        let status: OutboxStatus
        do { status = try OutboxStatus.read(StateDatabase(path: configuration.databasePath)) } catch {
            Failure(error.description).exit()
        }
        let now = Timestamp.now()
        let live = LiveStatus.fetch(from: configuration.statusListen)
        if json {
            // The running agent's document holds the database's figures and its own.
            print(live?.document ?? String(decoding: status.json(now: now), as: UTF8.self))
            return
        }
        print(
            "agent            \(status.agentID ?? "-")\(live == nil ? "  (not answering on its status endpoint)" : "  (running)")"
        )
        if let live = live?.status {
            if let upstream = live.upstream {
                print("upstream         \(Self.describe(upstream))")
            }
            if let feedback = live.feedback, feedback.sent + feedback.failed + feedback.shown > 0 {
                print(
                    "feedback         \(feedback.sent) sent to devices, \(feedback.failed) refused, \(feedback.shown) shown on the status page (\(feedback.unacknowledged) not acknowledged)"
                )
            }
            if let profiles = live.profiles {
                var line = profiles.bundle.map { "bundle \($0)" } ?? "no bundle"
                line += " (\(profiles.bundles)\(profiles.lastCheck.map { ", checked \($0)" } ?? ""))"
                if let problem = profiles.problem { line += " — \(problem)" }
                print("profiles         \(line)")
            }
            if let error = live.lastError { print("last error       \(error)") }
        }
        print("events stored    \(status.lastSeq)")
        print("acknowledged     up to seq \(status.acknowledgedSeq)")
        let age =
            status.oldestUnsentAt.map {
                OutboxStatus.seconds(now.microsecondsSinceEpoch - $0.microsecondsSinceEpoch) + " s"
            } ?? "-"
        print("backlog          \(status.backlogEvents) events (oldest unsent \(age))")
        print("last ack         \(status.lastAcknowledgedAt?.iso8601 ?? "never")")
        print(
            "quarantine       \(status.quarantineHeld) held, \(status.quarantineReleased) released, \(status.quarantineDiscarded) discarded"
        )
        for alert in status.alerts {
            print(
                "ALERT            \(alert.raisedAt.iso8601) \(alert.deviceID): \(alert.kind.replacing("_", with: " ")) — \(alert.detail)"
            )
        }
        for batch in status.parked {
            print("PARKED           batch \(batch.batchSeq): \(batch.error ?? "rejected")")
        }
        for device in status.devices {
            let counts = device.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print("device           \(device.id)  \(counts)  last \(device.lastEventAt?.iso8601 ?? "-")")
        }
    }

    static func describe(_ upstream: LiveStatus.Upstream) -> String {
        let bytes = "\(upstream.sentBytes) bytes sent for \(upstream.bodyBytes) bytes of batches"
        if upstream.compressionRefused {
            return
                "uncompressed: the upstream answered 415 to \(upstream.compressionConfigured), so batches go uncompressed until the agent restarts (\(bytes))"
        }
        return "\(upstream.compression == "none" ? "uncompressed" : upstream.compression + "-compressed") (\(bytes))"
    }
}
