import Foundation
import GRDB
import ScanBridgeCore
import Testing

@testable import ScanBridgeReceiver
@testable import ScanBridgeTestSupport

/// The console's pure parts: escaping, the attention order, what notices add up to, and
/// pages that show the store's text as text.
@Suite("Receiver console pages")
struct ConsolePageTests {
    static let hostile = #"<script>alert('x')</script>&"quoted""#

    @Test("interpolated text is escaped; HTML and numbers are not; path segments are percent-encoded")
    func escaping() {
        #expect(HTML.escape(Self.hostile) == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;quoted&quot;")
        #expect(HTML.escape("plain café") == "plain café")
        let inner: HTML = "<b>\(Self.hostile)</b>"
        let outer: HTML = "<p title=\"\(Self.hostile)\">\(inner) \(42)</p>"
        #expect(
            outer.markup
                == "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;quoted&quot;\"><b>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;quoted&quot;</b> 42</p>"
        )
        #expect(HTML.percentEncoded("agent 1/ü?#\"<") == "agent%201%2F%C3%BC%3F%23%22%3C")
        #expect(HTML.percentEncoded("agent-1.a_b~c") == "agent-1.a_b~c")
    }

    @Test("durations and times read as a person says them")
    func text() {
        #expect(ConsoleText.duration(nil) == "—")
        #expect(ConsoleText.duration(42) == "42 s")
        #expect(ConsoleText.duration(300) == "5 min")
        #expect(ConsoleText.duration(7200) == "2 h")
        #expect(ConsoleText.duration(3 * 3600 + 12 * 60 + 5) == "3 h 12 min")
        #expect(ConsoleText.duration(2 * 86400 + 4 * 3600) == "2 d 4 h")
        #expect(ConsoleText.time("2026-11-24T14:17:03.123456Z") == "2026-11-24 14:17:03 UTC")
    }

    static let now = Timestamp(iso8601: "2026-11-24T12:00:00.000000Z")!

    static func ago(_ seconds: Int64) -> String { now.adding(microseconds: -seconds * 1_000_000).iso8601 }

    static func status(
        _ id: String, lag: Int64?, received: Int64?, missing: Int64 = 0, notices: [ConsoleNotice] = []
    ) -> ConsoleAgentStatus {
        let record = ConsoleAgentRecord(
            agentID: id, lastBatchSeq: lag == nil ? 0 : 3, lastEventSeq: lag == nil ? 0 : 100,
            lastOccurredAt: lag.map(ago), eventCount: lag == nil ? 0 : 100 - missing, createdAt: ago(86400),
            lastReceivedAt: received.map(ago))
        return ConsoleAgentStatus(record: record, keys: [], issues: AgentIssues(notices: notices), now: now)
    }

    static func notice(_ type: String, seq: Int64, device: String = "scale-1", quarantine: String? = nil)
        -> ConsoleNotice
    {
        ConsoleNotice(
            agentID: "a", seq: seq, type: type, occurredAt: ago(60), deviceID: device, quarantineID: quarantine)
    }

    @Test("needs attention first: behind (gaps, silent, late) by lag, then alerts by lag, then healthy by lag")
    func attentionOrder() {
        let agents = [
            Self.status("healthy-fresh", lag: 5, received: 5),
            Self.status("healthy-slow", lag: 600, received: 10),
            Self.status("drift", lag: 1, received: 1, notices: [Self.notice("schema.drift_detected", seq: 4)]),
            Self.status(
                "held", lag: 30, received: 30, notices: [Self.notice("payload.quarantined", seq: 4, quarantine: "9")]),
            Self.status("gaps", lag: 2, received: 2, missing: 3),
            Self.status("silent", lag: 3600, received: 3600),
            Self.status("late", lag: 7200, received: 1),
            Self.status("never", lag: nil, received: nil),
        ]
        #expect(agents.first { $0.agentID == "late" }?.receiving == true)
        #expect(agents.first { $0.agentID == "silent" }?.receiving == false)
        let sorted = agents.sorted(by: ConsoleAgentStatus.needsAttentionFirst).map(\.agentID)
        #expect(sorted == ["never", "late", "silent", "gaps", "held", "drift", "healthy-slow", "healthy-fresh"])
        let attention = Dictionary(uniqueKeysWithValues: agents.map { ($0.agentID, $0.attention) })
        #expect(attention["gaps"] == .behind && attention["held"] == .alerting && attention["healthy-slow"] == .healthy)
    }

    @Test("a payload is held until released; a drift alert stays open while its device holds payloads")
    func issues() {
        let notices = [
            Self.notice("device.attached", seq: 1),
            Self.notice("schema.drift_detected", seq: 2),
            Self.notice("payload.quarantined", seq: 3, quarantine: "1"),
            Self.notice("payload.quarantined", seq: 4, quarantine: "2"),
            Self.notice("device.firmware_changed", seq: 5, device: "reader-2"),
            Self.notice("payload.released", seq: 6, quarantine: "1"),
        ]
        let open = AgentIssues(notices: notices)
        #expect(open.held.map(\.quarantineID) == ["2"])
        #expect(open.openDrift.map(\.seq) == [5, 2], "scale-1 still holds quarantine 2; reader-2 never released")
        #expect(open.devices.map(\.id) == ["reader-2", "scale-1"])

        let closed = AgentIssues(notices: notices + [Self.notice("payload.released", seq: 7, quarantine: "2")])
        #expect(closed.held.isEmpty)
        #expect(closed.openDrift.map(\.seq) == [5], "a release that empties scale-1 closes its drift")

        let byAgent = AgentIssues.byAgent(
            [Self.notice("payload.quarantined", seq: 1, quarantine: "1")]
                + [ConsoleNotice(agentID: "b", seq: 1, type: "schema.drift_detected", occurredAt: Self.ago(1))])
        #expect(byAgent["a"]?.held.count == 1 && byAgent["b"]?.openDrift.count == 1)
    }

    @Test("the pages show the store's text as text, never as markup")
    func pagesEscape() {
        let record = ConsoleAgentRecord(
            agentID: Self.hostile, lastBatchSeq: 2, lastEventSeq: 9, lastOccurredAt: Self.ago(10), eventCount: 9,
            createdAt: Self.ago(100), lastReceivedAt: Self.ago(10))
        var drift = ConsoleNotice(
            agentID: Self.hostile, seq: 3, type: "device.firmware_changed", occurredAt: Self.ago(20),
            deviceID: "<img src=x onerror=alert(1)>", firmware: "1<2", old: "<b>old</b>", new: "\"new\"")
        drift.profile = "<i>p</i>"
        let held = ConsoleNotice(
            agentID: Self.hostile, seq: 4, type: "payload.quarantined", occurredAt: Self.ago(20),
            deviceID: "<img src=x onerror=alert(1)>", quarantineID: "<q>", reason: "</td><script>x</script>")
        let issues = AgentIssues(notices: [drift, held])
        let status = ConsoleAgentStatus(record: record, keys: [], issues: issues, now: Self.now)
        let fleet = ConsoleFleetPage.render([status], page: 1, viewer: .session(consumer: "<finance>"))
        let agent = ConsoleAgentPage.render(
            ConsoleAgentDetail(status: status, issues: issues, gaps: [], keys: []), viewer: .bearer(consumer: "x"))
        for page in [fleet, agent] {
            #expect(!page.contains("<script>") && !page.contains("<img") && !page.contains("<b>old"))
            #expect(!page.contains("http://") && !page.contains("https://"), "no external assets")
        }
        #expect(fleet.contains("&lt;script&gt;alert(&#39;x&#39;)") && fleet.contains("Signed in as &lt;finance&gt;"))
        #expect(fleet.contains("href=\"/agents/%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E%26%22quoted%22\""))
        #expect(agent.contains("&lt;img src=x onerror=alert(1)&gt;") && agent.contains("&lt;/td&gt;&lt;script&gt;x"))
        #expect(agent.contains("firmware changed from &lt;b&gt;old&lt;/b&gt; to &quot;new&quot;"))
    }

    @Test("the fleet page is paged and an agent's lists are cut with how many more")
    func paging() {
        let agents = (1...120).map { Self.status(String(format: "agent-%03d", $0), lag: Int64($0), received: 1) }
            .sorted(by: ConsoleAgentStatus.needsAttentionFirst)
        let first = ConsoleFleetPage.render(agents, page: 1, viewer: .bearer(consumer: "x"))
        let third = ConsoleFleetPage.render(agents, page: 3, viewer: .bearer(consumer: "x"))
        let beyond = ConsoleFleetPage.render(agents, page: 99, viewer: .bearer(consumer: "x"))
        #expect(first.components(separatedBy: "<tr class=").count - 1 == ConsoleFleetPage.pageSize)
        #expect(first.contains("agent-120") && !first.contains("agent-001") && first.contains("href=\"/?page=2\""))
        #expect(third.contains("agent-001") && third.contains("page 3 of 3") && !third.contains("rel=\"next\""))
        #expect(beyond == third)

        let notices = (1...60).map { Self.notice("payload.quarantined", seq: Int64($0), quarantine: String($0)) }
        let issues = AgentIssues(notices: notices)
        let detail = ConsoleAgentDetail(status: agents[0], issues: issues, gaps: [], keys: [])
        let page = ConsoleAgentPage.render(detail, viewer: .bearer(consumer: "x"))
        #expect(page.contains("Held payloads (60)") && page.contains("and 10 more"))
    }

    @Test("SQLite reads the notices through their partial index and the agents by primary key")
    func sqliteQueryPlans() throws {
        let directory = TestSupport.makeDirectory(in: NSTemporaryDirectory(), label: "console-plan")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteReceiverStore(path: directory + "/receiver.sqlite")
        defer { try? store.pool.close() }
        let plans = try store.pool.read { db in
            try [
                SQLiteReceiverStore.consoleNoticesSQL + ") ORDER BY agent_id, seq",
                SQLiteReceiverStore.consoleNoticesSQL + " AND agent_id = 'a') ORDER BY agent_id, seq",
                SQLiteReceiverStore.consoleAgentsSQL + " ORDER BY a.agent_id",
            ].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql)
                    .map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        #expect(
            plans[0].contains("USING INDEX receiver_events_notices") && !plans[0].contains("TEMP B-TREE"), "\(plans[0])"
        )
        #expect(plans[1].contains("USING INDEX receiver_events_notices (agent_id=?)"), "\(plans[1])")
        #expect(
            plans[2].contains("USING INDEX sqlite_autoindex_receiver_batches_1 (agent_id=? AND batch_seq=?)"),
            "\(plans[2])")
    }
}
