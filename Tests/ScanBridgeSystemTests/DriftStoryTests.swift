import Foundation
import GRDB
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeStore
import ScanBridgeTools
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

/// The failure scanbridge exists to catch: a scale's firmware update changes the JSON shape
/// of its quantity field. Played end to end through a pty, a running agent, the CLI and a
/// receiver, counting every scan.
@Suite("Firmware drift, quarantine and replay", .system)
struct DriftStoryTests {
    static let profileV1 = """
        {"id": "acme-scale", "version": 1, "framing": "lines", "decoder": "json",
         "schema": {"type": "object", "required": ["sku", "qty"],
                    "properties": {"sku": {"type": "string", "minLength": 1},
                                   "qty": {"type": "object", "required": ["amount", "unit"],
                                           "properties": {"amount": {"type": ["number", "string"]},
                                                          "unit": {"enum": ["kg", "g"]}}}}},
         "normalise": {"fields": {"quantity": {"value": "/qty/amount", "unit": "/qty/unit",
                                               "units": {"kg": "KGM", "g": "GRM"}},
                                  "sku": {"value": "/sku"}}}}
        """
    static let profileV2 = """
        {"id": "acme-scale", "version": 2, "match": {"firmware": ">=2.0"}, "framing": "lines", "decoder": "json",
         "schema": {"type": "object", "required": ["sku", "quantity"],
                    "properties": {"quantity": {"type": "object", "required": ["value", "uom"]}}},
         "normalise": {"fields": {"quantity": {"value": "/quantity/value", "unit": "/quantity/uom",
                                               "units": {"kg": "KGM", "g": {"to": "KGM", "shift": -3}}},
                                  "sku": {"value": "/sku"}}}}
        """

    struct Setup {
        let directory = TestSupport.temporaryDirectory("drift")
        let terminal: PseudoTerminal
        let holder: AgentKeyHolder
        let receiver: TestReceiver<ReceiverStore>
        let port: Int

        func config(firmware: String) throws -> String {
            let path = directory + "/scanbridge.yaml"
            try """
            state_dir: \(directory)/state
            signing_key: \(holder.directory)/key.jwk
            discovery: false
            profile_dirs: [\(directory)/profiles]
            upstream:
              url: http://127.0.0.1:\(port)/v1/scan-batches
              batch_max_age_ms: 20
            devices:
              - path: \(terminal.devicePath)
                profile: acme-scale
                firmware: "\(firmware)"
                id: scale-1
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func runAgent(
            firmware: String, until: @escaping @Sendable (AgentCounters.Snapshot) -> Bool, writing lines: [String]
        )
            async throws -> AgentCounters.Snapshot
        {
            let configuration = try ConfigurationLoader.load(path: try config(firmware: firmware), environment: [:])
            var logger = Logger(label: "drift")
            logger.logLevel = .critical
            let agent = try Agent(configuration: configuration, logger: logger)
            let task = Task { try await agent.run() }
            defer { task.cancel() }
            try terminal.write(Array(lines.map { $0 + "\r\n" }.joined().utf8))
            let reached = await TestSupport.eventually(seconds: 15) { until(agent.counters.snapshot) }
            task.cancel()
            try await task.value
            #expect(reached, "agent counters: \(agent.counters.snapshot)")
            return agent.counters.snapshot
        }
    }

    @Test(
        "a firmware update changes the quantity shape: alerts, every payload held, replay under a new profile releases each once"
    )
    func story() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let setup = Setup(
            terminal: try TestSupport.terminal(), holder: holder, receiver: receiver, port: receiver.port)
        try FileManager.default.createDirectory(
            atPath: setup.directory + "/profiles", withIntermediateDirectories: true)
        try Self.profileV1.write(
            toFile: setup.directory + "/profiles/acme-scale-1.json", atomically: true, encoding: .utf8)

        // Firmware 1.4: the shape the profile knows.
        let old = (1...3).map { #"{"sku":"WOOL-\#($0)","qty":{"amount":"12.500","unit":"kg"}}"# }
        _ = try await setup.runAgent(firmware: "1.4", until: { $0.scanned == 3 && $0.acknowledged == 3 }, writing: old)

        // Firmware 2.0 sends the quantity in a new shape: nothing may pass as valid.
        let new = (1...4).map { #"{"sku":"SILK-\#($0)","quantity":{"value":"0.75\#($0)","uom":"kg"}}"# }
        let second = try await setup.runAgent(
            firmware: "2.0", until: { $0.quarantined == 4 && $0.acknowledged == $0.stored }, writing: new)
        #expect(second.scanned == 0)

        let config = try setup.config(firmware: "2.0")
        let statusBefore = try AuditCommandTests.scanbridge(["status", "--json", "--config", config])
        #expect(statusBefore.output.contains(#""drift_alerts_open":2"#), "\(statusBefore.output)")
        let held = try AuditCommandTests.scanbridge(["quarantine", "list", "--json", "--config", config])
        #expect(held.status == 0)
        #expect(held.output.components(separatedBy: #""state":"held""#).count - 1 == 4)
        #expect(!held.output.contains("0.751"), "quarantine list must not show claimed values")

        // Nothing changes without a matching profile; then version 2 answers the new shape.
        let premature = try AuditCommandTests.scanbridge(["quarantine", "replay", "--json", "--config", config])
        #expect(premature.output.contains(#"{"released":0,"still_held":4}"#), "\(premature.output)")
        try Self.profileV2.write(
            toFile: setup.directory + "/profiles/acme-scale-2.json", atomically: true, encoding: .utf8)
        let check = try AuditCommandTests.scanbridge([
            "profiles", "check", setup.directory + "/profiles/acme-scale-2.json",
        ])
        #expect(check.status == 0, "\(check.output)")
        let replay = try AuditCommandTests.scanbridge(["quarantine", "replay", "--json", "--config", config])
        #expect(replay.output.contains(#"{"released":4,"still_held":0}"#), "\(replay.output)")
        let again = try AuditCommandTests.scanbridge(["quarantine", "replay", "--json", "--config", config])
        #expect(again.output.contains(#"{"released":0,"still_held":0}"#), "\(again.output)")
        let statusAfter = try AuditCommandTests.scanbridge(["status", "--json", "--config", config])
        #expect(statusAfter.output.contains(#""drift_alerts_open":0"#), "\(statusAfter.output)")

        // Live payloads in the new shape now pass, without a second drift alert; everything drains.
        let later = (5...6).map { #"{"sku":"SILK-\#($0)","quantity":{"value":"250","uom":"g"}}"# }
        let third = try await setup.runAgent(
            firmware: "2.0", until: { $0.scanned == 2 && $0.acknowledged >= 10 }, writing: later)
        #expect(third.quarantined == 0)
        await receiver.stop()

        let events = try await DatabaseQueue(path: receiver.store.path).read { db in
            try Row.fetchAll(db, sql: "SELECT seq, type, body FROM receiver_events ORDER BY seq").map {
                (
                    seq: $0["seq"] as Int64, type: $0["type"] as String,
                    body: String(decoding: [UInt8]($0["body"] as Data), as: UTF8.self)
                )
            }
        }
        let types = events.map(\.type)
        #expect(events.map(\.seq) == Array(1...Int64(events.count)))
        #expect(types.filter { $0 == "device.firmware_changed" }.count == 1)
        #expect(types.filter { $0 == "schema.drift_detected" }.count == 1)
        #expect(types.filter { $0 == "payload.quarantined" }.count == 4)
        #expect(types.filter { $0 == "payload.released" }.count == 4)
        let scans = events.filter { $0.type == "barcode.scanned" }
        #expect(scans.count == 3 + 4 + 2)
        #expect(scans.prefix(3).allSatisfy { $0.body.contains(#""quantity":{"value":"12.500","unit":"KGM"}"#) })
        let released = scans.filter { $0.body.contains("replay_of") }
        #expect(released.count == 4)
        #expect(
            released.allSatisfy { $0.body.contains(#""profile":"acme-scale@2""#) && $0.body.contains(#""unit":"KGM""#) }
        )
        #expect(released.contains { $0.body.contains(#""quantity":{"value":"0.751","unit":"KGM"}"#) })
        #expect(scans.suffix(2).allSatisfy { $0.body.contains(#""quantity":{"value":"0.250","unit":"KGM"}"#) })
        for notice in events where notice.type == "payload.quarantined" {
            #expect(!notice.body.contains("0.75") && !notice.body.contains("SILK") && !notice.body.contains(#""raw""#))
            #expect(notice.body.contains(#""errors":[{"instance":"#))
        }
        let firmware = try #require(events.first { $0.type == "device.firmware_changed" })
        #expect(firmware.body.contains(#""old":"1.4","new":"2.0""#))
    }

    @Test("a replay run from another process while the agent idles reaches the receiver at once, not at the next scan")
    func replayWhileRunning() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let setup = Setup(
            terminal: try TestSupport.terminal(), holder: holder, receiver: receiver, port: receiver.port)
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        try FileManager.default.createDirectory(
            atPath: setup.directory + "/profiles", withIntermediateDirectories: true)
        try Self.profileV1.write(
            toFile: setup.directory + "/profiles/acme-scale-1.json", atomically: true, encoding: .utf8)
        let config = try setup.config(firmware: "2.0")
        var logger = Logger(label: "drift-live")
        logger.logLevel = .critical
        let agent = try Agent(
            configuration: try ConfigurationLoader.load(path: config, environment: [:]), logger: logger)
        let task = Task { try await agent.run() }
        defer { task.cancel() }
        let lines = (1...3).map { #"{"sku":"SILK-\#($0)","quantity":{"value":"0.5\#($0)","uom":"kg"}}"# + "\r\n" }
        try setup.terminal.write(Array(lines.joined().utf8))
        let held = await TestSupport.eventually(seconds: 15) {
            let counts = agent.counters.snapshot
            return counts.quarantined == 3 && counts.acknowledged == counts.stored
        }
        #expect(held, "\(agent.counters.snapshot)")
        let before = try receiver.store.eventCount(agentID: agent.agentID)

        // The fix arrives; the operator replays from a shell while the agent keeps running, idle.
        try Self.profileV2.write(
            toFile: setup.directory + "/profiles/acme-scale-2.json", atomically: true, encoding: .utf8)
        let replay = try AuditCommandTests.scanbridge(["quarantine", "replay", "--json", "--config", config])
        #expect(replay.output.contains(#"{"released":3,"still_held":0}"#), "\(replay.output)")
        // Released and re-scanned: two events per payload, sent without any new scan.
        let arrived = await TestSupport.eventually(seconds: 5) {
            (try? receiver.store.eventCount(agentID: agent.agentID)) == before + 6
        }
        task.cancel()
        try await task.value
        await receiver.stop()
        let holding = try receiver.store.eventCount(agentID: agent.agentID)
        #expect(arrived, "the receiver holds \(holding), expected \(before + 6)")
    }
}
