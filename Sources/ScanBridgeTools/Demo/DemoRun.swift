import Foundation
import Hummingbird
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeReading
import ScanBridgeReceiver
import ScanBridgeUpstream
import ScanBridgeWire
import ServiceLifecycle
import Synchronization

/// `scanbridge demo`: the whole path on one machine, with no hardware and no config.
///
/// A receiver on loopback, a simulated GS1-128 scanner and a simulated ThingMagic RFID reader
/// on pseudo-terminals, and the real agent reading both. Midway the receiver goes away so a backlog builds and then
/// drains; at the end the receiver's chain is verified and every scan must have been
/// acknowledged exactly once.
public struct DemoRun: Sendable {
    public struct Options: Sendable {
        public var seconds: Int = 20
        public var scansPerSecond: Int = 25
        public var outageSeconds: Int?
        public var directory: String?
        public var seed: UInt64 = 2026
        public var interactive = false

        public init() {}
    }

    public struct Summary: Sendable, Equatable {
        public var written = 0
        public var scanned = 0
        /// Tag reads the simulated RFID reader sent (its own read counts summed), and those the
        /// stored observations account for.
        public var readsSent = 0
        public var readsObserved = 0
        public var observed = 0
        public var stored = 0
        public var acknowledged = 0
        public var receivedEvents = 0
        public var batches = 0
        public var verified = false
        public var problem: String?

        public var succeeded: Bool {
            verified && problem == nil && scanned == written && readsObserved == readsSent
                && acknowledged == stored && receivedEvents == stored
        }
    }

    public let options: Options
    let output: @Sendable (String) -> Void

    public init(options: Options, output: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.output = output
    }

    public func run() async throws -> Summary {
        let directory = try options.directory.map(Self.prepare) ?? Self.temporaryDirectory()
        var logger = Logger(label: "scanbridge.demo")
        logger.logLevel = .error
        output("scanbridge demo — state in \(directory)")

        let key = SigningKey()
        let keyPath = directory + "/agent-key.jwk"
        try key.write(to: keyPath)
        let receiverStore = try ReceiverStore(path: directory + "/receiver.sqlite")
        var receiverLogger = logger
        receiverLogger.logLevel = .critical
        let intake = BatchIntake(store: receiverStore, trusted: TrustedKeys([key.publicJWK]), logger: receiverLogger)
        let receiver = ReceiverSwitch(intake: intake)
        let port = try await receiver.start(port: 0)
        output("receiver   http://127.0.0.1:\(port)/v1/scan-batches (trusts kid \(key.kid))")

        let terminal = try PseudoTerminal()
        output("scanner    simulated GS1-128 scanner on \(terminal.devicePath), \(options.scansPerSecond) scans/s")
        let readerTerminal = try PseudoTerminal()
        var readerOptions = ReaderSimulator.Options(
            mode: .mercury, population: .sgtin96(count: 12, seed: options.seed))
        readerOptions.seed = options.seed
        readerOptions.reads = 0
        readerOptions.rate = 8
        let reader = ReaderSimulator(terminal: readerTerminal, options: readerOptions)
        output(
            "reader     simulated ThingMagic Mercury RFID reader on \(readerTerminal.devicePath), 12 tags, 8 reads/s (deduplicated per 2 s)"
        )

        var configuration = AgentConfiguration(stateDirectory: directory + "/agent", signingKeyPath: keyPath)
        var upstream = AgentConfiguration.Upstream(url: "http://127.0.0.1:\(port)/v1/scan-batches")
        upstream.batchLimits.maxAgeMilliseconds = 250
        upstream.retryCapMilliseconds = 1000
        upstream.timeoutMilliseconds = 5000
        configuration.upstream = upstream
        configuration.devices = [
            .init(path: terminal.devicePath, baud: 115_200, id: "demo-scanner"),
            .init(path: readerTerminal.devicePath, framing: .mercury, id: "demo-reader"),
        ]
        configuration.statusListen = ListenAddress(host: "127.0.0.1", port: 0)
        let agent = try Agent(configuration: configuration, logger: logger)
        output("agent      \(agent.agentID), outbox \(configuration.databasePath)")
        let agentTask = Task { try await agent.run() }
        for _ in 0..<50 where agent.statusPort == nil { try await Task.sleep(for: .milliseconds(20)) }
        if let port = agent.statusPort {
            output("status     http://127.0.0.1:\(port)/ (the workshop page) and /metrics, while the demo runs")
        }

        let written = Mutex(0)
        let duration = max(options.seconds, 3)
        let outage = options.outageSeconds ?? max(2, duration / 4)
        let outageStart = duration / 3
        let scanner = Task { [options] in
            var simulator = BarcodeSimulator(seed: options.seed)
            let interval = 1.0 / Double(max(1, options.scansPerSecond))
            let start = ContinuousClock.now
            var index = 0
            while ContinuousClock.now - start < .seconds(duration), !Task.isCancelled {
                try terminal.write(Array((simulator.nextScan() + "\r\n").utf8))
                written.withLock { $0 += 1 }
                index += 1
                let due = start + .milliseconds(Int(Double(index) * interval * 1000))
                try? await Task.sleep(until: due, clock: .continuous)
            }
        }

        let readerThread = Thread { reader.run() }
        readerThread.start()
        let start = ContinuousClock.now
        var receiverDown = false
        var outageDone = false
        func progress(_ note: String) {
            let elapsed = ContinuousClock.now - start
            let counts = agent.counters.snapshot
            let backlog = counts.stored - counts.acknowledged
            let line =
                "\(Self.seconds(elapsed))  scanned \(counts.scanned)  tags \(counts.observed)  stored \(counts.stored)  sent \(counts.batchesSent) batches  acknowledged \(counts.acknowledged)  backlog \(backlog)  \(note)"
            output(line)
        }
        while true {
            let elapsed = ContinuousClock.now - start
            if !receiverDown, !outageDone, elapsed >= .seconds(outageStart) {
                await receiver.stop()
                receiverDown = true
                output("— receiver taken away for \(outage) s: the agent keeps every scan in its outbox")
            } else if receiverDown, elapsed >= .seconds(outageStart + outage) {
                _ = try await receiver.start(port: port)
                receiverDown = false
                outageDone = true
                output("— receiver back: the backlog drains in order")
            }
            let scanning = elapsed < .seconds(duration)
            if !scanning {
                // Both sources must be finished before counting, or a scan or tag sent after the
                // count would arrive once the drain was declared done.
                reader.pause()
                try await scanner.value
            }
            let counts = agent.counters.snapshot
            let drained =
                !scanning && outageDone && counts.acknowledged >= counts.stored
                && counts.scanned >= written.withLock { $0 }
                && counts.observedReads >= reader.ledger.intactReads.reduce(0) { $0 + $1.readCount }
            progress(receiverDown ? "receiver DOWN" : (scanning ? "receiver up" : "draining"))
            if drained || elapsed > .seconds(duration + 60) { break }
            try await Task.sleep(for: .milliseconds(options.interactive ? 500 : 1000))
        }
        try await scanner.value
        agentTask.cancel()
        try await agentTask.value
        reader.stop()
        await receiver.stop()

        var summary = Summary()
        let counts = agent.counters.snapshot
        summary.written = written.withLock { $0 }
        summary.scanned = counts.scanned
        summary.observed = counts.observed
        summary.readsObserved = counts.observedReads
        summary.readsSent = reader.ledger.intactReads.reduce(0) { $0 + $1.readCount }
        summary.stored = counts.stored
        summary.acknowledged = counts.acknowledged
        summary.receivedEvents = try receiverStore.eventCount(agentID: agent.agentID)
        var audit = ChainAudit(trusted: TrustedKeys([key.publicJWK]))
        do {
            for batch in try receiverStore.batches(agentID: agent.agentID) {
                try audit.append(body: batch.body, signature: batch.signature, label: batch.batchSeq)
            }
            summary.batches = audit.result.batches
            summary.verified = audit.result.events == summary.receivedEvents
        } catch {
            summary.problem = String(describing: error)
        }
        if summary.scanned != summary.written {
            summary.problem = summary.problem ?? "\(summary.written - summary.scanned) written scans were not stored"
        }
        if summary.readsObserved != summary.readsSent {
            summary.problem =
                summary.problem
                ?? "the reader sent \(summary.readsSent) tag reads, observations account for \(summary.readsObserved)"
        }
        let verdict =
            summary.verified
            ? "chain verified: \(summary.batches) batches, events 1…\(audit.result.lastEventSeq), signatures valid"
            : "chain NOT verified: \(summary.problem ?? "event count mismatch")"
        output(verdict)
        output(
            "demo \(summary.succeeded ? "passed" : "FAILED"): scanned \(summary.scanned), observed \(summary.observed) tags (\(summary.readsObserved) of \(summary.readsSent) reads), stored \(summary.stored), acknowledged \(summary.acknowledged), received \(summary.receivedEvents)"
        )
        return summary
    }

    static func seconds(_ duration: Duration) -> String {
        let tenths =
            Int(duration.components.seconds) * 10 + Int(duration.components.attoseconds / 100_000_000_000_000_000)
        return "\(tenths / 10).\(tenths % 10)s"
    }

    /// A directory given with `--dir` must be new or empty: the demo's verdict is about
    /// this run only.
    static func prepare(_ directory: String) throws -> String {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) {
            guard (try manager.contentsOfDirectory(atPath: directory)).isEmpty else {
                throw DemoError("\(directory) is not empty; give --dir a new or empty directory")
            }
        } else {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        return directory
    }

    static func temporaryDirectory() throws -> String {
        let base = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((base + "scanbridge-demo-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else {
            throw DemoError("cannot create a temporary directory")
        }
        return String(cString: path)
    }
}

/// A receiver that can be taken away and brought back on the same port.
///
/// Taken away gracefully, never by cancelling the server's task: a connection accepted just
/// as the task is cancelled is never served or closed, and NIO traps on it (apple/swift-nio
/// #3481); an agent retrying all the while makes that likely.
final class ReceiverSwitch: Sendable {
    let intake: BatchIntake
    let onAccepted: (@Sendable ([UInt8]) -> Void)?
    /// Counts the batch requests' bytes (the bench's `wire_bytes_per_event`).
    let meter: WireMeter?
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)

    init(intake: BatchIntake, meter: WireMeter? = nil, onAccepted: (@Sendable ([UInt8]) -> Void)? = nil) {
        self.intake = intake
        self.meter = meter
        self.onAccepted = onAccepted
    }

    func start(port: Int) async throws -> Int {
        let server = ReceiverServer(intake: intake, host: "127.0.0.1", port: port, onAccepted: onAccepted)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app: any Service =
            if let meter {
                server.application(batchMiddleware: meter) { port in continuation.yield(port) }
            } else {
                server.application { port in continuation.yield(port) }
            }
        let group = ServiceGroup(services: [app], logger: intake.logger)
        let task = Task { try await group.run() }
        running.withLock { $0 = (group, task) }
        for await bound in stream { return bound }
        throw DemoError("receiver did not start")
    }

    func stop() async {
        let current = running.withLock { running -> (group: ServiceGroup, task: Task<Void, any Error>)? in
            defer { running = nil }
            return running
        }
        guard let current else { return }
        await current.group.triggerGracefulShutdown()
        _ = try? await current.task.value
    }
}

public struct DemoError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
