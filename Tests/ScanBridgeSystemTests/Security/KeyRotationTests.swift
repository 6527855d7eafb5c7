import Foundation
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeTools
import ScanBridgeUpstream
import ScanBridgeWire
import Synchronization
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `scanbridge keygen --rotate` and the agent's hand-over: the chain switches keys at a signed
/// event, and an auditor who trusts only the old key can follow it.
@Suite("Signing key rotation", .system)
struct KeyRotationTests {
    static func kid(ofJWS jws: String) -> String? {
        guard let header = jws.split(separator: ".").first, let bytes = Base64.decode(header),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        return object["kid"] as? String
    }

    static func scanLines(_ scans: Range<Int>) -> [UInt8] {
        Array(
            scans.map { "]C101" + BarcodeSimulator.withCheckDigit(String(format: "%013d", $0)) + "\r\n" }.joined().utf8)
    }

    /// Runs the agent in-process from `config` until the receiver holds `events` events.
    static func runAgent(
        config: String, terminal: PseudoTerminal, scans: Range<Int>, receiver: TestReceiver<ReceiverStore>, events: Int
    )
        async throws -> String
    {
        let configuration = try ConfigurationLoader.load(path: config, environment: [:])
        var logger = Logger(label: "rotation")
        logger.logLevel = .critical
        let agent = try Agent(configuration: configuration, logger: logger)
        let task = Task { try await agent.run() }
        defer { task.cancel() }
        try terminal.write(Self.scanLines(scans))
        let arrived = try await TestSupport.eventually(seconds: 20) {
            try receiver.store.eventCount(agentID: agent.agentID) == events
        }
        task.cancel()
        try await task.value
        let held = try receiver.store.eventCount(agentID: agent.agentID)
        #expect(arrived, "the receiver holds \(held) of \(events)")
        return agent.agentID
    }

    @Test(
        "keygen --rotate: the hand-over is the last event signed by the old key, the new key signs after it, the files move, and the old key alone audits the whole chain"
    )
    func rotation() async throws {
        let directory = TestSupport.temporaryDirectory("rotation")
        let keyPath = directory + "/signing-key.jwk"
        let old = SigningKey()
        try old.write(to: keyPath)
        let terminal = try TestSupport.terminal()
        // What `keygen --rotate` writes (tested on its own below). The receiver trusts only the
        // old key: it learns the new one from the hand-over, as the auditor below does.
        let next = SigningKey()
        let receiver = try await TestReceiver.start(trusting: [old])
        let port = receiver.port
        let config = directory + "/scanbridge.yaml"
        try """
        state_dir: \(directory)/state
        signing_key: \(keyPath)
        status: {listen: "off"}
        discovery: false
        upstream:
          url: http://127.0.0.1:\(port)/v1/scan-batches
          batch_max_events: 3
          batch_max_age_ms: 20
        devices:
          - path: \(terminal.devicePath)
            baud: 115200
        """.write(toFile: config, atomically: true, encoding: .utf8)

        _ = try await Self.runAgent(config: config, terminal: terminal, scans: 0..<5, receiver: receiver, events: 5)

        try next.write(to: keyPath + ".next")

        let agentID = try await Self.runAgent(
            config: config, terminal: terminal, scans: 5..<10, receiver: receiver, events: 11)

        #expect(access(keyPath + ".next", F_OK) != 0, "the prepared key is in place")
        #expect(try SigningKey.load(path: keyPath).kid == next.kid)
        #expect(try SigningKey.load(path: keyPath + ".retired-" + old.kid).kid == old.kid)

        let batches = try receiver.store.batches(agentID: agentID)
        var handoverSeq: Int64?
        var audit = ChainAudit(trusted: TrustedKeys([old.publicJWK]))
        for batch in batches {
            let wire = try WireBatch.parse(batch.body)
            if let event = wire.events.first(where: { $0.type == "agent.key_rotated" }) {
                handoverSeq = event.seq
                #expect(wire.events.last?.seq == event.seq, "the hand-over ends its batch")
                #expect(Self.kid(ofJWS: batch.signature) == old.kid, "the old key signs the hand-over")
            }
            let lastSeq = wire.events.last?.seq ?? 0
            let expected = handoverSeq.map { lastSeq > $0 } == true ? next.kid : old.kid
            #expect(Self.kid(ofJWS: batch.signature) == expected, "batch \(batch.batchSeq)")
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
        }
        #expect(handoverSeq == 6)
        #expect(audit.result.events == 11)
        #expect(audit.trusted[next.kid] != nil, "the auditor learned the new key from the hand-over")
        let retired = try await receiver.store.enrolledKey(kid: old.kid)
        #expect(
            retired?.retiredAfterBatchSeq != nil && retired?.replacedBy == next.kid, "the receiver retired the old key")

        // A forged hand-over (the new key's statement signed by a stranger) is refused.
        let forged = ChainAudit(trusted: TrustedKeys([next.publicJWK]))
        let stranger = SigningKey()
        let data = try KeyHandover.eventData(agentID: agentID, old: stranger, new: SigningKey(), at: .now())
        let object = JSONFields.object(from: data) ?? [:]
        #expect(throws: KeyHandover.Failure.self) {
            _ = try KeyHandover.verify(eventData: object, agentID: agentID, trusted: forged.trusted)
        }
    }

    /// A directory holding the agent's current key, the key a rotation will move to, and a terminal.
    struct Rotation {
        let directory: String
        let keyPath: String
        let old = SigningKey()
        let next = SigningKey()
        let terminal: PseudoTerminal

        init(_ label: String) throws {
            directory = TestSupport.temporaryDirectory(label)
            keyPath = directory + "/signing-key.jwk"
            terminal = try TestSupport.terminal()
            try old.write(to: keyPath)
        }
    }

    /// Writes the config for `directory`; without `port`, no upstream (events wait in the outbox).
    static func writeConfig(
        directory: String, keyPath: String, terminal: PseudoTerminal, port: Int?, maxEvents: Int = 3
    ) throws -> String {
        let path = directory + "/scanbridge.yaml"
        var text = """
            state_dir: \(directory)/state
            signing_key: \(keyPath)
            status: {listen: "off"}
            discovery: false
            devices:
              - path: \(terminal.devicePath)
                baud: 115200

            """
        if let port {
            text += """
                upstream:
                  url: http://127.0.0.1:\(port)/v1/scan-batches
                  batch_max_events: \(maxEvents)
                  batch_max_age_ms: 20

                """
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every batch the receiver holds verifies under the key that should sign it: the old one up
    /// to and including the hand-over, the new one after; an auditor trusting only the old key
    /// follows the whole chain.
    static func expectSignedAcrossHandover(
        receiver: TestReceiver<ReceiverStore>, agentID: String, old: SigningKey, new: SigningKey, events: Int
    ) throws {
        var handoverSeq: Int64?
        var audit = ChainAudit(trusted: TrustedKeys([old.publicJWK]))
        for batch in try receiver.store.batches(agentID: agentID) {
            let wire = try WireBatch.parse(batch.body)
            if let event = wire.events.first(where: { $0.type == "agent.key_rotated" }) {
                handoverSeq = event.seq
                #expect(wire.events.last?.seq == event.seq, "the hand-over ends its batch")
            }
            let lastSeq = wire.events.last?.seq ?? 0
            let expected = handoverSeq.map { lastSeq > $0 } == true ? new.kid : old.kid
            #expect(kid(ofJWS: batch.signature) == expected, "batch \(batch.batchSeq)")
            try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
        }
        #expect(handoverSeq != nil)
        #expect(audit.result.events == events)
    }

    @Test("a 413 on the batch holding the hand-over: the rebuilt batches still end at it under the old key; all arrive")
    func handoverBatchTooLarge() async throws {
        let setup = try Rotation("rotation-413")
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        let (directory, keyPath, old, next, terminal) = (
            setup.directory, setup.keyPath, setup.old, setup.next, setup.terminal
        )
        let receiver = try await TestReceiver.start(
            trusting: [old], fallback: .tooLargeOnceContaining(#""type":"agent.key_rotated""#))
        let port = receiver.port
        defer { Task { await receiver.stop() } }

        // Five scans wait unbatched (no upstream yet), so the hand-over's batch holds six events.
        let offline = try Self.writeConfig(directory: directory, keyPath: keyPath, terminal: terminal, port: nil)
        var logger = Logger(label: "rotation-413")
        logger.logLevel = .critical
        let first = try Agent(
            configuration: try ConfigurationLoader.load(path: offline, environment: [:]), logger: logger)
        let task = Task { try await first.run() }
        defer { task.cancel() }
        try terminal.write(Self.scanLines(0..<5))
        #expect(await TestSupport.eventually(seconds: 20) { first.counters.snapshot.scanned == 5 })
        task.cancel()
        try await task.value

        try next.write(to: keyPath + ".next")
        let online = try Self.writeConfig(
            directory: directory, keyPath: keyPath, terminal: terminal, port: port, maxEvents: 10)
        let agentID = try await Self.runAgent(
            config: online, terminal: terminal, scans: 5..<10, receiver: receiver, events: 11)
        #expect(receiver.requests.contains { $0.status == 413 }, "the hand-over's batch met a 413")
        try Self.expectSignedAcrossHandover(receiver: receiver, agentID: agentID, old: old, new: next, events: 11)
    }

    @Test("killed between the two renames of a rotation, or before them: the next start finishes it, never a new key")
    func crashDuringRename() async throws {
        let setup = try Rotation("rotation-crash")
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        let (directory, keyPath, old, next, terminal) = (
            setup.directory, setup.keyPath, setup.old, setup.next, setup.terminal
        )
        let receiver = try await TestReceiver.start(trusting: [old])
        let port = receiver.port
        defer { Task { await receiver.stop() } }
        let config = try Self.writeConfig(directory: directory, keyPath: keyPath, terminal: terminal, port: port)
        _ = try await Self.runAgent(config: config, terminal: terminal, scans: 0..<3, receiver: receiver, events: 3)
        try next.write(to: keyPath + ".next")
        _ = try await Self.runAgent(config: config, terminal: terminal, scans: 3..<5, receiver: receiver, events: 6)
        let retired = keyPath + ".retired-" + old.kid
        #expect(try SigningKey.load(path: keyPath).kid == next.kid)

        // Killed after the first rename: the current key is retired, the new one not yet in place.
        #expect(rename(keyPath, keyPath + ".next") == 0)
        _ = try await Self.runAgent(config: config, terminal: terminal, scans: 5..<7, receiver: receiver, events: 8)
        #expect(try SigningKey.load(path: keyPath).kid == next.kid, "the prepared key was moved into place")
        #expect(access(keyPath + ".next", F_OK) != 0)

        // Killed before the first rename (the hand-over's batch already stored): both files move now.
        #expect(rename(keyPath, keyPath + ".next") == 0 && rename(retired, keyPath) == 0)
        let agentID = try await Self.runAgent(
            config: config, terminal: terminal, scans: 7..<9, receiver: receiver, events: 10)
        #expect(try SigningKey.load(path: keyPath).kid == next.kid)
        #expect(try SigningKey.load(path: retired).kid == old.kid)
        try Self.expectSignedAcrossHandover(receiver: receiver, agentID: agentID, old: old, new: next, events: 10)

        // A missing key beside a prepared one whose hand-over no batch carries: refuse, never a new key.
        try FileManager.default.removeItem(atPath: keyPath)
        try FileManager.default.removeItem(atPath: retired)
        try SigningKey().write(to: keyPath + ".next")
        var logger = Logger(label: "rotation-crash")
        logger.logLevel = .critical
        #expect(throws: KeyError.self) {
            _ = try Agent(configuration: try ConfigurationLoader.load(path: config, environment: [:]), logger: logger)
        }
        #expect(access(keyPath, F_OK) != 0, "no key was made up")
    }

    @Test("keygen --rotate writes the next key 0600 beside the current one, once, and refuses without a current key")
    func keygenRotate() async throws {
        let directory = TestSupport.temporaryDirectory("keygen")
        let keyPath = directory + "/signing-key.jwk"
        let config = directory + "/scanbridge.yaml"
        try "state_dir: \(directory)/state\nsigning_key: \(keyPath)\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        func keygen() async throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestSupport.executable)
            process.arguments = ["keygen", "--rotate", "--config", config]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            _ = await TestSupport.eventually { !process.isRunning }
            return (process.terminationStatus, text)
        }
        let missing = try await keygen()
        #expect(missing.status != 0)
        #expect(missing.output.contains("start the agent once"))
        try SigningKey().write(to: keyPath)
        let first = try await keygen()
        #expect(first.status == 0, "\(first.output)")
        let next = try SigningKey.load(path: keyPath + ".next")
        #expect(first.output.contains("kid: \(next.kid)"))
        // Through FileManager: `stat`'s fields belong to whichever imported module saw
        // <sys/stat.h> first, which made this line fail to compile now and then.
        let attributes = try FileManager.default.attributesOfItem(atPath: keyPath + ".next")
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o600)
        let second = try await keygen()
        #expect(second.status != 0)
        #expect(second.output.contains("already prepared"))
    }
}
