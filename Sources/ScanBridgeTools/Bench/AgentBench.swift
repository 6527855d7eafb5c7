import Foundation
import GRDB
import Logging
import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgeReceiver
import ScanBridgeUpstream
import ScanBridgeWire
import Synchronization

/// `scanbridge bench`: the real agent as a separate process, sized the way an operator sizing
/// a gateway would — simulated serial scanners on pseudo-terminals, a loopback receiver, and
/// the agent's own process measured through `/proc`.
///
/// Phases: start-up to `/readyz`; idle with devices attached; paced scans (latency from the
/// moment the bytes were written to the durable commit and to the upstream's 2xx); the
/// upstream taken away while every device writes as fast as the line takes (sustained durable
/// ingest, building a backlog); the upstream back (drain rate).
public struct AgentBench: Sendable {
    public struct Options: Sendable {
        public var devices = 16
        /// Scans per second across all devices in the latency phase.
        public var rate = 1000
        /// Length of the latency phase.
        public var seconds = 10
        /// Length of the upstream outage, during which devices write unpaced.
        public var outageSeconds = 5
        /// Instead of a timed outage: write until this many events wait (e.g. 1,000,000).
        public var backlog: Int?
        public var idleSeconds = 3
        public var executable: String
        public var directory: String?
        /// Carry the agent's uploads through a link of this many Mbit/s (`--link-mbps`).
        public var linkMbps: Double?

        public init(executable: String) {
            self.executable = executable
        }
    }

    public struct Report: Sendable {
        public var events = 0
        public var ingestEPS = 0.0
        public var durableP50 = 0.0
        public var durableP99 = 0.0
        public var durableMax = 0.0
        public var ackP50 = 0.0
        public var ackP99 = 0.0
        public var drainEPS = 0.0
        /// Bytes on the wire per event while the backlog drained (full batches at the default
        /// batching): request lines, header fields and bodies as sent.
        public var wireBytesPerEvent = 0.0
        /// The same in the paced phase, where batches are small.
        public var pacedWireBytesPerEvent = 0.0
        public var linkMbps: Double?
        /// From the receiver's return to its first accepted batch: the forwarder's retry
        /// backoff, not its throughput, so kept apart from `drainEPS`.
        public var reconnectMS = 0.0
        public var backlogEvents = 0
        public var rssPeakMB = 0.0
        /// The largest anonymous (heap and stack) part seen, sampled every 100 ms.
        public var rssAnonymousPeakMB = 0.0
        /// File-backed part at the end: code pages of the binary and the Swift runtime.
        public var rssFileMB = 0.0
        public var idleCPUPercent = 0.0
        public var idleWakeupsPerSecond = 0.0
        public var startupMS = 0.0

        public func json() -> String {
            func number(_ value: Double) -> String {
                let rounded = (value * 100).rounded() / 100
                return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
            }
            let fields: [(String, String)] = [
                ("events", "\(events)"), ("ingest_eps", number(ingestEPS)), ("durable_p50_ms", number(durableP50)),
                ("durable_p99_ms", number(durableP99)), ("durable_max_ms", number(durableMax)),
                ("ack_p50_ms", number(ackP50)), ("ack_p99_ms", number(ackP99)), ("drain_eps", number(drainEPS)),
                ("reconnect_ms", number(reconnectMS)), ("wire_bytes_per_event", number(wireBytesPerEvent)),
                ("paced_wire_bytes_per_event", number(pacedWireBytesPerEvent)),
                ("link_mbps", linkMbps.map(number) ?? "null"),
                ("backlog_events", "\(backlogEvents)"), ("rss_peak_mb", number(rssPeakMB)),
                ("rss_anon_peak_mb", number(rssAnonymousPeakMB)), ("rss_file_mb", number(rssFileMB)),
                ("idle_cpu_pct", number(idleCPUPercent)), ("idle_wakeups_per_s", number(idleWakeupsPerSecond)),
                ("startup_ms", number(startupMS)),
            ]
            return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let directory = try options.directory.map(DemoRun.prepare) ?? DemoRun.temporaryDirectory()
        // A directory the bench made for itself holds the agent's whole outbox and the
        // receiver's copy (gigabytes after --backlog 1000000): removed after a successful run,
        // after the agent has stopped (defers run last-declared first); kept after a failure,
        // whose message names its agent.log. --dir keeps everything.
        var succeeded = false
        defer {
            if succeeded, options.directory == nil { try? FileManager.default.removeItem(atPath: directory) }
        }
        let key = SigningKey()
        try key.write(to: directory + "/agent-key.jwk")
        var logger = Logger(label: "scanbridge.bench")
        logger.logLevel = .critical
        let ledger = LatencyLedger()
        let receiverStore = try ReceiverStore(path: directory + "/receiver.sqlite")
        // The receiver answers before the bench reads the scan numbers out of the batch: the
        // bookkeeping must not lengthen the round trip it measures.
        let bookkeeping = DispatchQueue(label: "scanbridge.bench.acknowledged")
        let meter = WireMeter()
        let receiver = ReceiverSwitch(
            intake: BatchIntake(store: receiverStore, trusted: TrustedKeys([key.publicJWK]), logger: logger),
            meter: meter,
            onAccepted: { body in
                let now = MonotonicClock.nanoseconds()
                bookkeeping.async { ledger.acknowledged(LatencyLedger.numbers(inBatch: body), at: now) }
            })
        let receiverPort = try await receiver.start(port: 0)
        let link = try options.linkMbps.map { try ThrottledLink(megabitsPerSecond: $0, targetPort: receiverPort) }
        defer { link?.stop() }
        let terminals = try (0..<options.devices).map { _ in try PseudoTerminal() }
        // Closing a terminal hangs up its device and drops what the agent has not read yet:
        // the terminals must outlive every phase, not just their last write.
        defer { withExtendedLifetime(terminals) {} }
        let statusPort = try Self.freePort()
        let config = directory + "/scanbridge.yaml"
        var yaml = """
            state_dir: \(directory)/agent
            signing_key: \(directory)/agent-key.jwk
            log_level: warning
            # The bench reads only its simulated devices, never a scanner plugged into the box.
            discovery: false
            status:
              listen: 127.0.0.1:\(statusPort)
            upstream:
              url: http://127.0.0.1:\(link?.port ?? receiverPort)/v1/scan-batches
            devices:

            """
        for (index, terminal) in terminals.enumerated() {
            yaml += "  - {path: \(terminal.devicePath), id: bench-\(index), baud: 115200}\n"
        }
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)

        var report = Report()
        report.linkMbps = options.linkMbps
        // Start-up: spawn to a 200 from /readyz.
        let started = MonotonicClock.nanoseconds()
        let agent = try Self.spawn(executable: options.executable, config: config, log: directory + "/agent.log")
        defer { Self.stop(agent) }
        var ready = false
        while !ready, MonotonicClock.nanoseconds() - started < 30_000_000_000 {
            ready = (try? LoopbackHTTP.get(port: statusPort, path: "/readyz", timeoutMilliseconds: 500).status) == 200
            if !ready { usleep(2000) }
        }
        guard ready else { throw DemoError("the agent did not become ready within 30 s; see \(directory)/agent.log") }
        report.startupMS = Double(MonotonicClock.nanoseconds() - started) / 1e6
        progress("ready after \(Int(report.startupMS)) ms (pid \(agent.processIdentifier), \(options.devices) devices)")
        let probe = ProcessProbe(pid: agent.processIdentifier)
        let anonymousPeak = Mutex(0.0)
        let sampler = Task.detached {
            while !Task.isCancelled {
                let anonymous = probe.resident().anonymous
                anonymousPeak.withLock { $0 = max($0, anonymous) }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { sampler.cancel() }
        let poller = DurablePoller(path: directory + "/agent/scanbridge.sqlite", ledger: ledger)
        poller.start()
        defer { poller.stop() }

        // Idle: devices attached and silent, after a second for the start-up's tail (devices
        // opening, the first checkpoint) so the steady state is what is measured.
        try await Task.sleep(for: .seconds(1))
        let cpuBefore = probe.cpuSeconds()
        let switchesBefore = probe.contextSwitches()
        try await Task.sleep(for: .seconds(options.idleSeconds))
        let idle = Double(options.idleSeconds)
        report.idleCPUPercent = (probe.cpuSeconds() - cpuBefore) / idle * 100
        report.idleWakeupsPerSecond = Double(probe.contextSwitches() - switchesBefore) / idle
        progress(
            "idle: \(String(format: "%.2f", report.idleCPUPercent)) % CPU, \(String(format: "%.1f", report.idleWakeupsPerSecond)) wake-ups/s"
        )

        // Latency at the given rate, upstream online.
        let pacedBytes = meter.bytes
        let paced = await Self.write(
            terminals, ledger: ledger, perDeviceRate: Double(options.rate) / Double(options.devices),
            seconds: Double(options.seconds), until: nil)
        _ = await Self.wait(seconds: 30) { ledger.counts(in: paced).acknowledged >= ledger.counts(in: paced).written }
        let latencies = ledger.latencies(in: paced)
        report.durableP50 = percentile(latencies.durable, 50)
        report.durableP99 = percentile(latencies.durable, 99)
        report.durableMax = latencies.durable.max() ?? 0
        report.ackP50 = percentile(latencies.acknowledged, 50)
        report.ackP99 = percentile(latencies.acknowledged, 99)
        let pacedEvents = ledger.counts(in: paced).acknowledged
        report.pacedWireBytesPerEvent = pacedEvents > 0 ? Double(meter.bytes - pacedBytes) / Double(pacedEvents) : 0
        progress(
            "\(options.rate) scans/s for \(options.seconds) s: durable p50 \(Self.ms(report.durableP50)) p99 \(Self.ms(report.durableP99)) max \(Self.ms(report.durableMax)); 2xx p50 \(Self.ms(report.ackP50)) p99 \(Self.ms(report.ackP99))"
        )

        // Upstream away; every device writes as fast as the line takes.
        link?.pause()
        await receiver.stop()
        var until: (@Sendable () -> Bool)?
        if let wanted = options.backlog {
            until = { ledger.pending >= wanted }
        }
        let flood = await Self.write(
            terminals, ledger: ledger, perDeviceRate: nil,
            seconds: options.backlog == nil ? Double(options.outageSeconds) : 3600, until: until)
        _ = await Self.wait(seconds: 60) { ledger.counts(in: flood).durable >= ledger.counts(in: flood).written }
        let floodTimes = poller.window(of: flood, ledger: ledger)
        // Nothing new becomes durable from here on; polling on would take a core's third from
        // the agent and the receiver while they drain.
        poller.stop()
        let stored = ledger.counts(in: flood).durable
        report.ingestEPS = floodTimes.seconds > 0 ? Double(stored) / floodTimes.seconds : 0
        report.backlogEvents = stored
        progress("upstream away, devices unpaced: \(stored) events stored at \(Int(report.ingestEPS)) events/s")

        // Upstream back: the backlog drains. Polled by the running total, not by a count over
        // the whole flood, so the bench's bookkeeping stays off the cores the agent drains on.
        let acknowledgedBefore = ledger.acknowledgedTotal
        let drainBytes = meter.bytes
        let drainStart = MonotonicClock.nanoseconds()
        _ = try await receiver.start(port: receiverPort)
        try link?.resume()
        _ = await Self.wait(seconds: 600) { ledger.acknowledgedTotal - acknowledgedBefore >= stored }
        let drainEnd = ledger.lastAcknowledged(in: flood) ?? MonotonicClock.nanoseconds()
        let firstAccepted = ledger.firstAcknowledged(in: flood) ?? drainStart
        report.reconnectMS = Double(firstAccepted - min(firstAccepted, drainStart)) / 1e6
        // The rate over the batches after the first (its events all carry one time).
        let afterFirst = ledger.acknowledged(in: flood, after: firstAccepted)
        report.drainEPS =
            drainEnd > firstAccepted ? Double(afterFirst) / (Double(drainEnd - firstAccepted) / 1e9) : 0
        report.wireBytesPerEvent = stored > 0 ? Double(meter.bytes - drainBytes) / Double(stored) : 0
        progress(
            "upstream back\(options.linkMbps.map { " over a \($0) Mbit/s link" } ?? ""): first batch accepted after \(Int(report.reconnectMS)) ms, then the backlog drained at \(Int(report.drainEPS)) events/s, \(Int(report.wireBytesPerEvent)) bytes/event on the wire (\(Int(report.pacedWireBytesPerEvent)) when paced)"
        )
        report.rssPeakMB = probe.peakResidentMegabytes()
        report.rssAnonymousPeakMB = anonymousPeak.withLock { $0 }
        report.rssFileMB = probe.resident().file
        report.events = ledger.writtenCount
        await receiver.stop()
        succeeded = true
        return report
    }

    static func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }

    /// Waits (politely) until `condition` holds or `seconds` pass.
    static func wait(seconds: Double, _ condition: @escaping @Sendable () -> Bool) async -> Bool {
        let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
        while MonotonicClock.nanoseconds() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// One writer thread per device: paced at `perDeviceRate` scans/s, or unpaced (nil); for
    /// `seconds` or until `until` holds. Returns the scan numbers used.
    static func write(
        _ terminals: [PseudoTerminal], ledger: LatencyLedger, perDeviceRate: Double?, seconds: Double,
        until: (@Sendable () -> Bool)?
    ) async -> Range<Int> {
        let first = ledger.reserve(0).lowerBound
        await withTaskGroup(of: Void.self) { group in
            for terminal in terminals {
                group.addTask {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let thread = Thread {
                            writeScans(
                                to: terminal, ledger: ledger, perDeviceRate: perDeviceRate, seconds: seconds,
                                until: until)
                            continuation.resume()
                        }
                        thread.start()
                    }
                }
            }
        }
        return first..<ledger.reserve(0).upperBound
    }

    static func writeScans(
        to terminal: PseudoTerminal, ledger: LatencyLedger, perDeviceRate: Double?, seconds: Double,
        until: (@Sendable () -> Bool)?
    ) {
        let start = MonotonicClock.nanoseconds()
        let end = start + UInt64(seconds * 1e9)
        var sent = 0
        var numbers = ledger.reserve(0)
        while MonotonicClock.nanoseconds() < end {
            if let until, sent % 256 == 0, until() { return }
            if let rate = perDeviceRate {
                let due = start + UInt64(Double(sent) / rate * 1e9)
                let now = MonotonicClock.nanoseconds()
                if due > now { usleep(useconds_t(min((due - now) / 1000, 100_000))) }
                if MonotonicClock.nanoseconds() >= end { return }
            }
            if numbers.isEmpty { numbers = ledger.reserve(perDeviceRate == nil ? 256 : 16) }
            let number = numbers.removeFirst()
            do { try terminal.write(Array("B\(number)\r\n".utf8)) } catch { return }
            ledger.written(number, at: MonotonicClock.nanoseconds())
            sent += 1
        }
    }

    static func spawn(executable: String, config: String, log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["run", "--config", config]
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCANBRIDGE_") }
        try process.run()
        return process
    }

    /// SIGTERM (the agent stores what it holds and exits), SIGKILL after 10 s.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// A loopback port free right now (nothing listens on it), for the agent's status endpoint.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw DemoError("cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Reads the agent's outbox (a WAL reader never blocks the writer) every millisecond and
/// notes when each scan became durable: an upper bound on the commit time by at most a poll.
final class DurablePoller: @unchecked Sendable {
    let path: String
    let ledger: LatencyLedger
    private let running = Mutex(true)
    private let finished = DispatchSemaphore(value: 0)
    private let firstAndLast = Mutex<[Int: UInt64]>([:])

    init(path: String, ledger: LatencyLedger) {
        self.path = path
        self.ledger = ledger
    }

    func start() {
        let thread = Thread { [self] in
            defer { finished.signal() }
            var configuration = Configuration()
            configuration.readonly = true
            guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return }
            var last: Int64 = 0
            while running.withLock({ $0 }) {
                let rows =
                    (try? queue.read { db in
                        try Row.fetchAll(
                            db, sql: "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT 20000",
                            arguments: [last])
                    }) ?? []
                let now = MonotonicClock.nanoseconds()
                for row in rows {
                    last = row["seq"]
                    let body: Data = row["body"]
                    if let number = LatencyLedger.number(inEvent: [UInt8](body)) { ledger.durable(number, at: now) }
                }
                if rows.isEmpty { usleep(1000) }
            }
        }
        thread.start()
    }

    func stop() {
        if running.withLock({ value in
            defer { value = false }; return value
        }) {
            finished.wait()
        }
    }

    /// From the first write to the last durable commit among `range`.
    func window(of range: Range<Int>, ledger: LatencyLedger) -> (seconds: Double, count: Int) {
        let span = ledger.span(in: range)
        return (span.map { Double($0.lastDurable - $0.firstWritten) / 1e9 } ?? 0, ledger.counts(in: range).durable)
    }
}
