import ScanBridgeCore
import ScanBridgeStore

/// The page at `/` of the status endpoint, for the tablet on the workbench: whether scans
/// are getting through, in plain words, readable at arm's length on a small screen. It
/// refreshes itself and loads nothing from elsewhere (workshops are often offline).
enum StatusPage {
    struct Snapshot {
        var agentID: String
        var now: Timestamp
        var status: OutboxStatus?
        var statusError: String?
        var devices: [DeviceStates.State]
        var counters: AgentCounters.Snapshot
        var storageFull: Bool
        var upstreamConfigured: Bool
        /// Held scans the operator has not acknowledged yet (devices that could not be told).
        var holds: [DeviceStates.Hold] = []
    }

    /// The one sentence at the top, and whether it is good news.
    static func headline(_ snapshot: Snapshot) -> (text: String, level: String) {
        if let hold = snapshot.holds.last {
            let more = snapshot.holds.count > 1 ? " (\(snapshot.holds.count) scans held)" : ""
            return (
                "Scan held from \(hold.deviceID): \(hold.reason). Check the item, then press Acknowledge\(more).", "bad"
            )
        }
        if snapshot.storageFull {
            return ("Storage is full: new scans are NOT being saved. Free disk space or raise state_max_mb.", "bad")
        }
        guard let status = snapshot.status else {
            return ("Cannot read the agent's store: \(snapshot.statusError ?? "unknown error").", "bad")
        }
        if !status.parked.isEmpty {
            return ("Uploads are stopped: the upstream refused a batch. Scans are kept safely here.", "bad")
        }
        let connected = snapshot.devices.filter(\.connected).count
        if !snapshot.devices.isEmpty, connected == 0 {
            return ("No scanner or reader is connected.", "warn")
        }
        if !snapshot.upstreamConfigured {
            return ("Scans are saved here; no upstream is configured, so nothing is sent yet.", "warn")
        }
        if let oldest = status.oldestUnsentAt,
            snapshot.now.microsecondsSinceEpoch - oldest.microsecondsSinceEpoch > 60_000_000
        {
            return (
                "Scans are saved safely but not sent for \(ago(oldest, snapshot.now)): the upstream is not reachable.",
                "warn"
            )
        }
        if !status.alerts.isEmpty || status.quarantineHeld > 0 {
            return ("Scans are getting through, but some need attention (see below).", "warn")
        }
        return ("All scans are getting through.", "good")
    }

    static func render(_ snapshot: Snapshot) -> String {
        let (headline, level) = headline(snapshot)
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="5">
            <title>scanbridge — \(escape(snapshot.agentID))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:0;padding:1rem;font-size:1.15rem;line-height:1.4;background:#fafafa;color:#111}
            h1{font-size:1.3rem;margin:0 0 .5rem} h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
            .headline{padding:.8rem 1rem;border-radius:.5rem;font-weight:600}
            .good{background:#d8f5dc} .warn{background:#fff1c2} .bad{background:#ffd6d6}
            ul{list-style:none;padding:0;margin:0} li{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:.6rem .8rem;margin:.4rem 0}
            .on{color:#11691f;font-weight:600} .off{color:#9b1111;font-weight:600} small{color:#555}
            body.held{background:#c62828;color:#fff} body.held li{color:#111} body.held small{color:#ddd}
            body.held li small{color:#555} #holds button{font-size:1.3rem;padding:.7rem 1.4rem;margin:.6rem 0}
            </style></head><body\(snapshot.holds.isEmpty ? "" : " class=\"held\"")>
            <h1>scanbridge · \(escape(snapshot.agentID))</h1>
            <p class="headline \(level)" id="headline">\(escape(headline))</p>

            """
        if !snapshot.holds.isEmpty { html += holdSection(snapshot) }
        html += "<h2>Devices</h2>\n<ul id=\"devices\">\n"
        if snapshot.devices.isEmpty { html += "<li>No devices are configured.</li>\n" }
        for device in snapshot.devices {
            let counts = snapshot.status?.devices.first { $0.id == device.id }
            let scans = (counts?.counts["barcode.scanned"] ?? 0)
            let tags = (counts?.counts["rfid.observed"] ?? 0)
            let held = (counts?.counts["payload.quarantined"] ?? 0)
            var line =
                "<li data-device=\"\(escape(device.id))\"><b>\(escape(device.id))</b> (\(escape(device.kind)), \(escape(device.path))): "
            line +=
                device.connected
                ? "<span class=\"on\">connected</span>"
                : "<span class=\"off\">not connected</span>"
            if let problem = device.problem, !device.connected { line += " — \(escape(problem))" }
            line += "<br><small>"
            var parts: [String] = []
            if device.kind == "reader" {
                parts.append("\(tags) tag observations")
            } else {
                parts.append("\(scans) scans")
            }
            if held > 0 { parts.append("\(held) held for checking") }
            if let last = counts?.lastEventAt {
                parts.append("last one \(ago(last, snapshot.now)) ago")
            } else {
                parts.append("nothing yet")
            }
            line += parts.joined(separator: " · ") + "</small></li>\n"
            html += line
        }
        html += "</ul>\n<h2>Upload</h2>\n<ul id=\"upload\">\n"
        if let status = snapshot.status {
            if status.backlogEvents == 0 {
                html += "<li>Nothing waiting to be sent.</li>\n"
            } else {
                let age = status.oldestUnsentAt.map { ", the oldest from \(ago($0, snapshot.now)) ago" } ?? ""
                html += "<li>\(status.backlogEvents) events waiting to be sent\(age).</li>\n"
            }
            if let last = status.lastAcknowledgedAt {
                html += "<li>Last successful upload \(ago(last, snapshot.now)) ago.</li>\n"
            } else {
                html += "<li>No upload has succeeded yet.</li>\n"
            }
            for batch in status.parked {
                html +=
                    "<li class=\"bad\">Batch \(batch.batchSeq) refused by the upstream: \(escape(batch.error ?? batch.status)). Fix the cause upstream, then restart the agent.</li>\n"
            }
            if let error = snapshot.counters.lastError, status.backlogEvents > 0 {
                html += "<li><small>Last problem: \(escape(error))</small></li>\n"
            }
        }
        html += "</ul>\n<h2>Attention</h2>\n<ul id=\"attention\">\n"
        if let status = snapshot.status {
            if status.alerts.isEmpty && status.quarantineHeld == 0 { html += "<li>Nothing needs attention.</li>\n" }
            if status.quarantineHeld > 0 {
                html +=
                    "<li>\(status.quarantineHeld) payloads held for checking (see <code>scanbridge quarantine list</code>).</li>\n"
            }
            for alert in status.alerts {
                html +=
                    "<li class=\"warn\">\(escape(alertTitle(alert.kind))) on \(escape(alert.deviceID)), \(ago(alert.raisedAt, snapshot.now)) ago: \(escape(alert.detail))</li>\n"
            }
        }
        html +=
            "</ul>\n<p><small>Updated \(escape(snapshot.now.iso8601)) · refreshes every 5 s · <a href=\"/metrics\">metrics</a></small></p>\n</body></html>\n"
        return html
    }

    /// The held scans, the acknowledge button, and a short tone. The tone is Web Audio (no
    /// file to ship); it plays on every refresh until the holds are acknowledged. A browser
    /// that blocks sound until a tap (autoplay policy) is asked for one; a kiosk browser can
    /// be started with `--autoplay-policy=no-user-gesture-required` instead.
    static func holdSection(_ snapshot: Snapshot) -> String {
        let through = snapshot.holds.map(\.number).max() ?? 0
        var html = "<h2>Held scans</h2>\n<ul id=\"holds\">\n"
        for hold in snapshot.holds.reversed() {
            html +=
                "<li data-quarantine=\"\(escape(hold.quarantineID))\"><b>\(escape(hold.deviceID))</b> (\(escape(hold.path))), \(ago(hold.at, snapshot.now)) ago: \(escape(hold.reason))<br><small>scanbridge quarantine show \(escape(hold.quarantineID))</small></li>\n"
        }
        html += """
            </ul>
            <form method="post" action="/holds/acknowledge?through=\(through)"><button type="submit" id="acknowledge">Acknowledge</button></form>
            <p id="sound-blocked" hidden>Tap the page to hear held scans.</p>
            <script>
            (function () {
              var context;
              try { context = new AudioContext(); } catch (e) { return; }
              window.scanbridgeTone = context;
              function tone() {
                var oscillator = context.createOscillator(), gain = context.createGain(), now = context.currentTime;
                oscillator.type = "square";
                oscillator.frequency.setValueAtTime(880, now);
                oscillator.frequency.setValueAtTime(440, now + 0.15);
                gain.gain.setValueAtTime(0.15, now);
                gain.gain.setValueAtTime(0, now + 0.35);
                oscillator.connect(gain);
                gain.connect(context.destination);
                oscillator.start(now);
                oscillator.stop(now + 0.4);
              }
              tone();
              if (context.state !== "running") {
                document.getElementById("sound-blocked").hidden = false;
                document.addEventListener("click", function () { context.resume().then(tone); }, { once: true });
              }
            })();
            </script>

            """
        return html
    }

    static func alertTitle(_ kind: String) -> String {
        switch kind {
        case "schema_drift": "Payload shape changed"
        case "firmware_changed": "Firmware changed"
        default: kind.replacingUnderscores()
        }
    }

    /// "3 s", "5 min", "2 h", "4 days".
    static func ago(_ time: Timestamp, _ now: Timestamp) -> String {
        let seconds = max(0, (now.microsecondsSinceEpoch - time.microsecondsSinceEpoch) / 1_000_000)
        switch seconds {
        case ..<90: return "\(seconds) s"
        case ..<5400: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h"
        default: return "\(seconds / 86_400) days"
        }
    }

    static func escape(_ text: String) -> String { HTML.escape(text) }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
