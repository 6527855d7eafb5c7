import ScanBridgeCore

/// `GET /agents/{agent_id}`: one agent's state, its open drift alerts, held payloads, devices,
/// gaps and keys, each list cut at `listLimit` with how many more there are.
enum ConsoleAgentPage {
    static let listLimit = 50

    static func render(_ detail: ConsoleAgentDetail, viewer: ConsoleViewer) -> String {
        let status = detail.status
        let record = status.record
        let lastEvent: HTML =
            record.lastEventSeq == 0
            ? "none yet" : "seq \(record.lastEventSeq), occurred \(ConsoleText.time(record.lastOccurredAt))"
        let body: HTML = """
            <p><a href="/">← fleet</a></p>
            <h1>Agent \(status.agentID)</h1>
            <dl>
            <dt>Receiving</dt><dd>\(ConsoleFleetPage.receiving(status))</dd>
            <dt>Last batch</dt><dd>\(record.lastBatchSeq == 0 ? "none yet" : "#\(record.lastBatchSeq), received \(ConsoleText.time(record.lastReceivedAt))")</dd>
            <dt>Last event</dt><dd>\(lastEvent)</dd>
            <dt>Lag</dt><dd class="\(ConsoleFleetPage.lagClass(status.lagSeconds))">\(ConsoleText.duration(status.lagSeconds))</dd>
            <dt>Events stored</dt><dd>\(record.eventCount)</dd>
            <dt>Key</dt><dd>\(status.currentKid.map { "\($0)" } ?? "no live key")\(status.handovers == 0 ? "" : " (\(ConsoleText.count(status.handovers, "hand-over")))")</dd>
            </dl>
            <h2 id="drift">Open drift alerts (\(detail.issues.openDrift.count))</h2>
            \(list(detail.issues.openDrift, empty: "No open drift alert.", header: "<th>Time</th><th>Device</th><th>Alert</th><th>seq</th>", row: driftRow))
            <h2 id="held">Held payloads (\(detail.issues.held.count))</h2>
            \(list(detail.issues.held, empty: "Nothing held.", header: "<th>Time</th><th>Device</th><th>Quarantine id</th><th>Reason</th>", row: heldRow))
            <h2 id="devices">Devices seen (\(detail.issues.devices.count))</h2>
            \(list(detail.issues.devices, empty: "No device reported yet.", header: "<th>Device</th><th>Firmware</th><th>Profile</th><th>Last reported</th>", row: deviceRow))
            <h2 id="gaps">Gaps</h2>
            \(gaps(detail.gaps, missing: record.missingEvents))
            <h2 id="keys">Keys</h2>
            \(list(detail.keys, empty: "No key enrolled.", header: "<th>kid</th><th>Enrolled</th><th>State</th>", row: keyRow))
            """
        return ConsoleLayout.page(
            title: "scanbridge agent \(status.agentID)", refresh: true, signedInAs: viewer, body: body)
    }

    static func list<Item>(_ items: [Item], empty: HTML, header: HTML, row: (Item) -> HTML) -> HTML {
        guard !items.isEmpty else { return "<p class=\"muted\">\(empty)</p>" }
        let rest = items.count - listLimit
        let more: HTML = rest > 0 ? "<p class=\"muted\">and \(rest) more</p>" : ""
        return """
            <table><thead><tr>\(header)</tr></thead><tbody>
            \(items.prefix(listLimit).map(row))</tbody></table>
            \(more)
            """
    }

    static func driftRow(_ alert: ConsoleNotice) -> HTML {
        let what: HTML =
            alert.type == "device.firmware_changed"
            ? "firmware changed from \(alert.old ?? "?") to \(alert.new ?? "?")"
            : "payload shape drifted\(alert.profile.map { " (profile \($0))" } ?? "")"
        return """
            <tr><td>\(ConsoleText.time(alert.occurredAt))</td><td>\(alert.deviceID ?? "—")</td>\
            <td><span class="warn">\(alert.type)</span>: \(what)</td><td>\(alert.seq)</td></tr>

            """
    }

    static func heldRow(_ notice: ConsoleNotice) -> HTML {
        """
        <tr><td>\(ConsoleText.time(notice.occurredAt))</td><td>\(notice.deviceID ?? "—")</td>\
        <td>\(notice.quarantineID ?? "—")</td><td>\(notice.reason ?? "—")</td></tr>

        """
    }

    static func deviceRow(_ device: AgentIssues.Device) -> HTML {
        """
        <tr><td>\(device.id)</td><td>\(device.firmware ?? "—")</td><td>\(device.profile ?? "—")</td>\
        <td>\(ConsoleText.time(device.lastSeenAt))</td></tr>

        """
    }

    static func keyRow(_ key: EnrolledKey) -> HTML {
        let state: HTML =
            if let revoked = key.revokedAt {
                "<span class=\"bad\">revoked \(ConsoleText.time(revoked))</span>"
            } else if let after = key.retiredAfterBatchSeq {
                "handed over after batch #\(after) to <code>\(key.replacedBy ?? "?")</code>"
            } else {
                "<span class=\"ok\">signing</span>"
            }
        return """
            <tr><td><code>\(key.kid)</code></td><td>\(ConsoleText.time(key.enrolledAt))</td><td>\(state)</td></tr>

            """
    }

    static func gaps(_ gaps: [[Int64]], missing: Int64) -> HTML {
        guard missing > 0 else { return "<p class=\"muted\">None: every event up to the last is stored.</p>" }
        let ranges: [HTML] = gaps.prefix(listLimit).map { gap in
            "<li>seq \(gap.first ?? 0)–\(gap.last ?? 0)</li>"
        }
        let more: HTML = gaps.count > listLimit ? "<p class=\"muted\">and \(gaps.count - listLimit) more</p>" : ""
        return """
            <p class="bad">\(missing) events missing.</p>
            <ul>\(ranges)</ul>
            \(more)
            """
    }
}
