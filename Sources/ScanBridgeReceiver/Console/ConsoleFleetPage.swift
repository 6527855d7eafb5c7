import ScanBridgeCore

/// `GET /`: every agent, the one that needs attention on top, a page of them at a time.
enum ConsoleFleetPage {
    static let pageSize = 50

    /// `page` counts from 1; one past the last shows the last.
    static func render(_ agents: [ConsoleAgentStatus], page requested: Int, viewer: ConsoleViewer) -> String {
        let pageCount = max(1, (agents.count + pageSize - 1) / pageSize)
        let page = min(max(1, requested), pageCount)
        let shown = agents.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let levels = Dictionary(grouping: agents, by: \.attention).mapValues(\.count)
        let summary: HTML = """
            <p class="summary">\(ConsoleText.count(agents.count, "agent")): \
            <span class="bad">\(levels[.behind] ?? 0) behind</span>, \
            <span class="warn">\(levels[.alerting] ?? 0) with alerts</span>, \
            <span class="ok">\(levels[.healthy] ?? 0) healthy</span>. \
            <span class="muted">Refreshes every \(ConsoleLayout.refreshSeconds) s.</span></p>
            """
        let table: HTML =
            agents.isEmpty
            ? "<p>No agent has been enrolled or sent a batch yet.</p>"
            : """
            <table id="agents">
            <thead><tr><th>Agent</th><th>Receiving</th><th>Last batch</th><th>Last event</th><th>Lag</th>\
            <th>Gaps</th><th>Drift alerts</th><th>Held</th><th>Key</th></tr></thead>
            <tbody>
            \(shown.map(row))
            </tbody>
            </table>
            """
        let body: HTML = """
            <h1>scanbridge fleet</h1>
            \(summary)
            \(table)
            \(pager(page: page, of: pageCount))
            """
        return ConsoleLayout.page(title: "scanbridge fleet", refresh: true, signedInAs: viewer, body: body)
    }

    static func row(_ agent: ConsoleAgentStatus) -> HTML {
        let record = agent.record
        let level: String =
            switch agent.attention {
            case .behind: "behind"
            case .alerting: "alerting"
            case .healthy: "healthy"
            }
        let lastEvent: HTML =
            record.lastEventSeq == 0
            ? "—"
            : "seq \(record.lastEventSeq)<br><span class=\"muted\">\(ConsoleText.time(record.lastOccurredAt))</span>"
        let key: HTML =
            agent.currentKid.map { kid in
                let handovers: HTML =
                    agent.handovers == 0
                    ? "" : "<br><span class=\"muted\">\(ConsoleText.count(agent.handovers, "hand-over"))</span>"
                return "<code title=\"\(kid)\">\(kid.prefix(12))…</code>\(handovers)"
            } ?? "<span class=\"bad\">no live key</span>"
        let gaps: HTML =
            record.missingEvents == 0 ? "none" : "<span class=\"bad\">\(record.missingEvents) missing</span>"
        let drift: HTML = agent.openDrift == 0 ? "0" : "<span class=\"warn\">\(agent.openDrift)</span>"
        let held: HTML = agent.held == 0 ? "0" : "<span class=\"warn\">\(agent.held)</span>"
        return """
            <tr class="\(level)"><td><a href="/agents/\(pathSegment: agent.agentID)">\(agent.agentID)</a></td>\
            <td>\(receiving(agent))</td>\
            <td>\(record.lastBatchSeq == 0 ? "—" : "#\(record.lastBatchSeq)")</td>\
            <td>\(lastEvent)</td>\
            <td class="\(lagClass(agent.lagSeconds))">\(ConsoleText.duration(agent.lagSeconds))</td>\
            <td>\(gaps)</td><td>\(drift)</td><td>\(held)</td>\
            <td>\(key)</td></tr>

            """
    }

    static func receiving(_ agent: ConsoleAgentStatus) -> HTML {
        if agent.receiving { return "<span class=\"ok\">receiving</span>" }
        guard let received = agent.record.lastReceivedAt else {
            return "<span class=\"bad\">never sent a batch</span>"
        }
        return """
            <span class="bad">silent since \(ConsoleText.time(received))</span>\
            <br><span class="muted">\(ConsoleText.duration(agent.silentSeconds)) ago</span>
            """
    }

    static func lagClass(_ lag: Int64?) -> String {
        guard let lag else { return "muted" }
        return lag >= ConsoleAgentStatus.lateAfterSeconds ? "bad" : "ok"
    }

    static func pager(page: Int, of pageCount: Int) -> HTML {
        guard pageCount > 1 else { return "" }
        let previous: HTML = page > 1 ? "<a href=\"/?page=\(page - 1)\" rel=\"prev\">previous</a> · " : ""
        let next: HTML = page < pageCount ? " · <a href=\"/?page=\(page + 1)\" rel=\"next\">next</a>" : ""
        return "<nav class=\"pager\">\(previous)page \(page) of \(pageCount)\(next)</nav>"
    }
}
