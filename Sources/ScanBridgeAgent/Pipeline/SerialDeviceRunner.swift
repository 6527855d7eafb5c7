import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeStore

/// Reads one serial device into the outbox until the agent stops.
public struct SerialDeviceRunner: Sendable {
    public let configuration: AgentConfiguration.SerialDevice
    public let source: SerialInputSource
    let outbox: OutboxWriter
    let counters: AgentCounters
    let logger: Logger

    public init(
        configuration: AgentConfiguration.SerialDevice, outbox: OutboxWriter, counters: AgentCounters, logger: Logger
    ) {
        self.configuration = configuration
        self.source = SerialInputSource(path: configuration.path, baud: configuration.baud)
        self.outbox = outbox
        self.counters = counters
        var logger = logger
        logger[metadataKey: "device"] = "\(configuration.path)"
        self.logger = logger
    }

    public var identity: DeviceIdentity {
        DeviceIdentity(id: configuration.deviceID, transport: .serial, profile: "serial-lines@1")
    }

    /// Runs until ``SerialInputSource/stop()``; every chunk read is committed before the
    /// next is read.
    public func run() async {
        var framer = LineFramer(maximumLength: configuration.maxLineBytes)
        let builder = ScanEventBuilder(device: identity)
        source.start()
        for await input in source.inputs {
            switch input {
            case .opened:
                logger.info("serial device opened", metadata: ["baud": "\(configuration.baud)"])
            case .unavailable(let problem):
                logger.warning("\(problem.description)")
            case .closed(let reason):
                logger.warning("serial device went away; waiting for it to return", metadata: ["reason": "\(reason)"])
                if let pending = framer.takePending() {
                    await store([builder.incomplete(pending)])
                }
            case .bytes(let chunk):
                let frames = framer.feed(chunk)
                if !frames.isEmpty {
                    let now = Timestamp.now()
                    let synchronized = SystemClock.isSynchronized
                    await store(
                        frames.map {
                            builder.entry(
                                for: $0, limit: configuration.maxLineBytes, at: now, clockSynchronized: synchronized)
                        })
                }
                source.acknowledge()
            }
        }
    }

    /// Retries a failed commit (disk full, I/O error) until it succeeds or the agent stops:
    /// nothing read is dropped, and the device is not read further meanwhile.
    private func store(_ entries: [OutboxEntry]) async {
        guard !entries.isEmpty else { return }
        var delay = 100
        while true {
            do {
                try await outbox.append(entries)
                let scanned = entries.filter { $0.event.type == .barcodeScanned }.count
                counters.update {
                    $0.scanned += scanned
                    $0.quarantined += entries.count - scanned
                }
                return
            } catch {
                logger.error("cannot store scans: \(error)")
                counters.update { $0.lastError = "\(error)" }
                try? await Task.sleep(for: .milliseconds(delay))
                delay = min(delay * 2, 5000)
                if Task.isCancelled { return }
            }
        }
    }
}
