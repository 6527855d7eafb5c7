import Foundation
import GRDB
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeReceiver
import ScanBridgeTools
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

/// A simulated reader on a pseudo-terminal, the real agent, a receiver: what arrives is
/// exactly what the reads that reached the line intact imply, in order, each once.
@Suite("Serial RFID readers end to end", .system)
struct ReaderEndToEndTests {
    /// Reads per protocol through the terminal (`SCANBRIDGE_RFID_READS`); the 100,000 reads
    /// per protocol of the conformance figure go through the same machines in memory
    /// (``ReaderConformanceTests``).
    static let reads = ProcessInfo.processInfo.environment["SCANBRIDGE_RFID_READS"].flatMap(Int.init) ?? 3_000

    typealias Outcome = ReaderConformance.Outcome

    /// Runs one reader through the agent into a receiver and returns what the receiver stored.
    func run(
        mode: ReaderScript.Mode, framing: AgentConfiguration.Framing, profile: String, reads: Int,
        corrupt: Double = 0.01, population: TagPopulation? = nil
    ) async throws -> Outcome {
        let holder = try AgentKeyHolder()
        let receiver = try await TestReceiver.start(trusting: holder.key)
        let port = receiver.port
        let terminal = try TestSupport.terminal()
        let tags = population ?? (mode == .em4100 ? .em4100(count: 500, seed: 7) : .sgtin96(count: 500, seed: 7))
        var options = ReaderSimulator.Options(mode: mode, population: tags)
        options.seed = 42
        options.reads = reads
        options.corruptProbability = corrupt
        options.split = true
        options.noise = corrupt > 0
        let simulator = ReaderSimulator(terminal: terminal, options: options)

        let directory = TestSupport.temporaryDirectory("rfid")
        var configuration = AgentConfiguration(
            stateDirectory: directory, signingKeyPath: holder.directory + "/key.jwk")
        var upstream = AgentConfiguration.Upstream(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        upstream.batchLimits = .init(maxEvents: 500, maxBytes: 1 << 20, maxAgeMilliseconds: 50)
        upstream.retryCapMilliseconds = 400
        configuration.upstream = upstream
        var device = AgentConfiguration.SerialDevice(path: terminal.devicePath, framing: framing, id: "reader")
        device.profile = profile
        device.dedupWindowMilliseconds = 0
        configuration.devices = [device]
        var logger = Logger(label: "rfid")
        logger.logLevel = .critical
        let agent = try Agent(configuration: configuration, logger: logger)
        let task = Task { try await agent.run() }
        defer { task.cancel() }
        let writer = TestSupport.onThread { simulator.run() }

        let finished = await TestSupport.eventually(seconds: 300) { simulator.isFinished }
        #expect(finished, "simulator sent \(simulator.ledger.reads.count) of \(reads)")
        // Settle: the agent has read everything once its counts stop moving.
        var last = -1
        while agent.counters.snapshot.stored != last {
            last = agent.counters.snapshot.stored
            try await Task.sleep(for: .milliseconds(700))
        }
        let delivered = try await TestSupport.eventually(seconds: 120) {
            try receiver.store.eventCount(agentID: agent.agentID) == agent.counters.snapshot.stored
        }
        #expect(delivered)
        // The agent stops first, so the simulator still hears the reader's stop commands.
        task.cancel()
        try await task.value
        try await Task.sleep(for: .milliseconds(200))
        simulator.stop()
        await writer.value
        await receiver.stop()

        let queue = try DatabaseQueue(path: receiver.store.path)
        let bodies = try await queue.read { db in
            try Data.fetchAll(
                db, sql: "SELECT body FROM receiver_events WHERE type = 'rfid.observed' ORDER BY seq")
        }
        var data: [[String: Any]] = []
        for body in bodies {
            let event = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            data.append(event?["data"] as? [String: Any] ?? [:])
        }
        return Outcome(
            sent: simulator.ledger, observed: data.map(ReaderConformance.Observed.init(json:)), data: data,
            commands: simulator.ledger.commands, rejectedBytes: agent.counters.snapshot.rejectedBytes)
    }

    @Test("ThingMagic Mercury: the agent starts continuous reading; 1 % flipped bytes, split writes, noise")
    func mercury() async throws {
        let outcome = try await run(mode: .mercury, framing: .mercury, profile: "thingmagic-mercury", reads: Self.reads)
        #expect(Array(outcome.commands.prefix(2)) == [0x93, 0x2F], "the agent set Gen2, then started reading")
        #expect(outcome.commands.last == 0x2F && outcome.commands.count >= 3, "and stopped reading at shutdown")
        ReaderConformance.expectExact(outcome, "mercury")
        #expect(outcome.rejectedBytes > 0)
        let first = outcome.data.first
        #expect((first?["epc_uri"] as? String)?.hasPrefix("urn:epc:id:sgtin:") == true)
        #expect((first?["tag_uri"] as? String)?.hasPrefix("urn:epc:tag:sgtin-96:1.") == true)
        #expect(first?["rssi_dbm"] is Int)
    }

    @Test("Chafon 288/UR real-time output (0xEE): antenna and raw RSSI, no sync byte, 1 % flipped bytes")
    func chafonRealTime() async throws {
        let outcome = try await run(
            mode: .chafonRealTime, framing: .chafon, profile: "chafon-realtime", reads: Self.reads)
        ReaderConformance.expectExact(outcome, "chafon real-time")
        #expect(outcome.data.first?["rssi_dbm"] is NSNull)
    }

    @Test("Chafon UHFReader18 answer mode: the agent polls inventory and gets every EPC answered")
    func chafonAnswer() async throws {
        let outcome = try await run(
            mode: .chafonAnswer, framing: .chafon, profile: "chafon-uhfreader18", reads: min(Self.reads, 200))
        #expect(outcome.commands.filter { $0 == 0x01 }.count > 10, "the agent polled")
        ReaderConformance.expectExact(outcome, "chafon answer mode")
    }

    @Test("EM4100 (STX, hex, XOR, ETX): ids as 10 hex digits without antenna")
    func em4100() async throws {
        let outcome = try await run(mode: .em4100, framing: .stxHexXor, profile: "em4100-ascii", reads: Self.reads)
        ReaderConformance.expectIntactSubsequence(outcome, "em4100", maxExtra: outcome.sent.framesSpoiled / 50)
        #expect((outcome.data.first?["epc_hex"] as? String)?.count == 10)
        #expect(outcome.data.first?["epc_uri"] is NSNull)
    }

    @Test("ASCII line reader with the default EPC,antenna,rssi pattern")
    func lines() async throws {
        let outcome = try await run(mode: .lines, framing: .lines, profile: "rfid-lines", reads: Self.reads)
        // A flipped hex digit or number is another valid line: plain text has no check to catch
        // it; and a line whose predecessor lost its terminator is not counted as intact, though
        // it may well arrive.
        ReaderConformance.expectIntactSubsequence(outcome, "lines", maxExtra: 2 * outcome.sent.framesSpoiled)
    }
}
