import Foundation
import GRDB
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeTools
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The drift fixed once for the whole fleet: a scale's firmware changes its quantity field,
/// its payloads are held, an authority publishes a fixed profile in a signed bundle, and the
/// running agent (a real process) takes it up within one poll, replays, and the receiver holds
/// every payload exactly once, after `profiles.updated`. Bundles that must not be used change
/// nothing.
@Suite("Profile bundles end to end", .system)
struct ProfileBundleStoryTests {
    struct Story {
        let directory = TestSupport.temporaryDirectory("bundle-story")
        let holder: AgentKeyHolder
        let receiver: TestReceiver<ReceiverStore>
        let terminal: PseudoTerminal

        func scanbridge(_ arguments: [String]) throws -> AuditCommandTests.Result {
            try AuditCommandTests.scanbridge(arguments)
        }

        /// `scanbridge keygen` for an authority: the private key file and its public half.
        func authority(_ name: String) throws -> (key: String, publicKey: String) {
            let key = directory + "/\(name).jwk"
            let made = try scanbridge(["keygen", "--out", key])
            #expect(made.status == 0, "\(made.output)")
            let publicJWK = made.output.split(separator: "\n").first { $0.hasPrefix("{") }.map(String.init) ?? ""
            try publicJWK.write(toFile: key + ".pub", atomically: true, encoding: .utf8)
            return (key, key + ".pub")
        }

        /// Builds bundle `version` of `profiles` signed with `key`; returns its file.
        func build(version: Int, key: String, profiles: [String]) throws -> String {
            let out = directory + "/scales-\(version).jws"
            let built = try scanbridge(
                ["profiles", "bundle", "--key", key, "--name", "scales", "--version", "\(version)"] + profiles + [
                    "--out", out,
                ])
            #expect(built.status == 0, "\(built.output)")
            return out
        }

        func publish(_ file: String) throws {
            let published = try scanbridge(["receive", "bundle", "publish", "--store", receiver.store.path, file])
            #expect(published.status == 0, "\(published.output)")
        }

        /// Takes published versions away, as a receiver restored from an old backup would.
        func unpublish(from version: Int) throws {
            try DatabaseQueue(path: receiver.store.path).write { db in
                try db.execute(sql: "DELETE FROM receiver_profile_bundles WHERE version >= ?", arguments: [version])
            }
        }

        func events() throws -> [[String: Any]] { try WedgeScannerTests.received(receiver) }

        func types() throws -> [String] { try events().compactMap { $0["type"] as? String } }
    }

    @Test(
        "a fixed profile published once reaches the running agent, which replays: every payload once, profiles.updated first"
    )
    func story() async throws {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let story = Story(holder: holder, receiver: receiver, terminal: try TestSupport.terminal())
        let original = story.directory + "/acme-scale-1.json"
        let fix = story.directory + "/acme-scale-2.json"
        try DriftStoryTests.profileV1.write(toFile: original, atomically: true, encoding: .utf8)
        try DriftStoryTests.profileV2.write(toFile: fix, atomically: true, encoding: .utf8)
        let authority = try story.authority("authority")
        let config = story.directory + "/scanbridge.yaml"
        func configure(firmware: String) throws {
            try """
            state_dir: \(story.directory)/state
            signing_key: \(holder.directory)/key.jwk
            discovery: false
            status: {listen: "off"}
            profiles:
              trust: [\(authority.publicKey)]
              bundle_poll_s: 1
            upstream:
              url: http://127.0.0.1:\(receiver.port)/v1/scan-batches
              batch_max_age_ms: 20
              retry_cap_ms: 200
            devices:
              - path: \(story.terminal.devicePath)
                profile: acme-scale
                firmware: "\(firmware)"
                id: scale-1
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }
        func run() throws -> Process {
            try WedgeScannerTests.process(
                [TestSupport.executable, "run", "--config", config], log: story.directory + "/agent.log")
        }
        func count(_ type: String) throws -> Int { try story.types().filter { $0 == type }.count }

        // The fleet's profile comes in bundle 1; the scale on firmware 1.4 sends what it describes.
        try story.publish(try story.build(version: 1, key: authority.key, profiles: [original]))
        try configure(firmware: "1.4")
        var agent = try run()
        defer { kill(agent.processIdentifier, SIGKILL) }
        #expect(try await TestSupport.eventually(seconds: 30) { try count("profiles.updated") == 1 })
        let old = (1...3).map { #"{"sku":"WOOL-\#($0)","qty":{"amount":"12.500","unit":"kg"}}"# }
        try story.terminal.write(Array(old.map { $0 + "\r\n" }.joined().utf8))
        #expect(try await TestSupport.eventually(seconds: 30) { try count("barcode.scanned") == 3 })
        await WedgeScannerTests.finish(agent)

        // Firmware 2.0 sends the quantity in a new shape: held, under the bundle kept from before.
        try configure(firmware: "2.0")
        agent = try run()
        let new = (1...4).map { #"{"sku":"SILK-\#($0)","quantity":{"value":"0.75\#($0)","uom":"kg"}}"# }
        try story.terminal.write(Array(new.map { $0 + "\r\n" }.joined().utf8))
        let held = try await TestSupport.eventually(seconds: 30) { try count("payload.quarantined") == 4 }
        #expect(held, "agent log: \(story.directory)/agent.log")

        // The authority publishes the fix once; the running agent polls, verifies, applies, replays.
        let bundle = try story.build(version: 2, key: authority.key, profiles: [original, fix])
        let verified = try story.scanbridge(["profiles", "verify", "--trust", authority.publicKey, bundle])
        #expect(verified.status == 0, "\(verified.output)")
        try story.publish(bundle)
        let released = try await TestSupport.eventually(seconds: 30) { try count("payload.released") == 4 }
        #expect(released, "agent log: \(story.directory)/agent.log")
        let events = try story.events()
        let updated = try #require(events.last { $0["type"] as? String == "profiles.updated" })
        let data = try #require(updated["data"] as? [String: Any])
        #expect(data["bundle"] as? String == "scales" && data["version"] as? Int == 2)
        #expect(data["profiles_changed"] as? [String] == ["acme-scale@2"])
        let bundleText = try String(contentsOfFile: bundle, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(data["sha256"] as? String == BatchBody.sha256Hex(Array(bundleText.utf8)))
        let updatedSeq = try #require(updated["seq"] as? Int)
        let replayed = events.filter { (($0["data"] as? [String: Any])?["replay_of"]) != nil }
        #expect(replayed.count == 4, "each held payload released once")
        #expect(Set(replayed.compactMap { ($0["data"] as? [String: Any])?["replay_of"] as? String }).count == 4)
        #expect(replayed.allSatisfy { ($0["seq"] as? Int ?? 0) > updatedSeq }, "profiles.updated comes first")
        #expect(events.compactMap { $0["seq"] as? Int } == Array(1...events.count), "no gap, no repeat")
        let listed = try story.scanbridge(["profiles", "list", "--config", config])
        #expect(
            listed.output.contains("acme-scale@2") && listed.output.contains("(bundle scales@2)"), "\(listed.output)")

        // What must not be used changes nothing: another authority's bundle, a tampered byte,
        // and (from a receiver restored from an old backup) a version older than the one in force.
        let before = try story.events().count
        let stranger = try story.authority("stranger")
        try story.publish(try story.build(version: 3, key: stranger.key, profiles: [fix]))
        try await expectRefusal(story, config: config, containing: "unknown key", events: before)

        let genuine = try story.build(version: 4, key: authority.key, profiles: [original, fix])
        var parts = try String(contentsOfFile: genuine, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").map(String.init)
        var payload = try #require(Base64.decode(parts[1]))
        let created = try #require(payload.firstRange(of: Array(#""created_at":"2"#.utf8)))
        payload[created.upperBound] =
            payload[created.upperBound] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        parts[1] = Base64.urlEncode(payload)
        let tampered = story.directory + "/tampered.jws"
        try parts.joined(separator: ".").write(toFile: tampered, atomically: true, encoding: .utf8)
        try story.publish(tampered)
        try await expectRefusal(story, config: config, containing: "does not match", events: before)

        try story.publish(try story.build(version: 5, key: authority.key, profiles: [original, fix]))
        #expect(try await TestSupport.eventually(seconds: 30) { try count("profiles.updated") == 3 })
        let afterFive = try story.events().count
        try story.unpublish(from: 3)
        try await expectRefusal(story, config: config, containing: "never goes back", events: afterFive)

        await WedgeScannerTests.finish(agent)
        await receiver.stop()
    }

    /// The agent says why in `status`, raises one alert, and sends nothing new.
    func expectRefusal(_ story: Story, config: String, containing reason: String, events count: Int) async throws {
        let shown = try await TestSupport.eventually(seconds: 30) {
            try story.scanbridge(["status", "--json", "--config", config]).output.contains(reason)
        }
        let status = try story.scanbridge(["status", "--json", "--config", config]).output
        #expect(shown, "status: \(status)")
        #expect(status.contains("profile_bundle"), "an alert is open: \(status)")
        #expect(try story.events().count == count, "nothing new went upstream")
    }
}
