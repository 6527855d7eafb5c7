import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeStore

/// Reads one serial device into the outbox until the agent stops.
public struct SerialDeviceRunner: Sendable {
    public let configuration: AgentConfiguration.SerialDevice
    public let source: SerialInputSource
    /// How the device's bytes are cut: the configured framing, else the profile's.
    public let framing: AgentConfiguration.Framing
    /// Set for readers that speak a protocol (or RFID line readers): their bytes become tag
    /// observations instead of scans.
    let reader: ReaderCodec?
    let outbox: OutboxWriter
    let registry: DeviceRegistry
    let catalog: ProfileCatalog
    let storage: StorageState
    let counters: AgentCounters
    let logger: Logger
    let metrics: AgentMetrics?
    let states: DeviceStates?

    public init(
        configuration: AgentConfiguration.SerialDevice, outbox: OutboxWriter, registry: DeviceRegistry,
        catalog: ProfileCatalog, storage: StorageState, counters: AgentCounters, logger: Logger,
        metrics: AgentMetrics? = nil, states: DeviceStates? = nil
    ) {
        self.metrics = metrics
        self.states = states
        self.configuration = configuration
        let profile = catalog.resolve(
            id: configuration.profileID, vendorID: configuration.usb?.vendorID, productID: configuration.usb?.productID,
            serial: configuration.usb?.serial, firmware: configuration.firmware)
        let framing =
            configuration.framing ?? profile.flatMap { AgentConfiguration.Framing(rawValue: $0.framing) } ?? .lines
        self.framing = framing
        let settings = profile?.reader
        let line = SerialLineSettings(
            baud: configuration.baud ?? settings?.baud ?? 9600,
            parity: configuration.parity ?? settings?.parity.flatMap(SerialLineSettings.Parity.init(rawValue:))
                ?? .none,
            stopBits: configuration.stopBits ?? settings?.stopBits ?? 1)
        // A port discovery found is reopened only for the device found there (its USB identity).
        let path = configuration.path
        var verify: (@Sendable () -> DeviceError?)?
        if let usb = configuration.usb {
            verify = { SerialPortOwner.check(devnode: path, expected: usb) }
        }
        self.source = SerialInputSource(path: path, settings: line, verify: verify)
        self.reader = ReaderCodec.make(
            framing: framing, profile: profile, maxLineBytes: configuration.maxLineBytes,
            interByteTimeoutMilliseconds: configuration.interByteTimeoutMilliseconds)
        self.outbox = outbox
        self.registry = registry
        self.catalog = catalog
        self.storage = storage
        self.counters = counters
        var logger = logger
        logger[metadataKey: "device"] = "\(configuration.path)"
        self.logger = logger
    }

    public var profileID: String { configuration.profileID }

    /// Stops reading; a reader is first sent its profile's stop commands.
    public func stop() {
        source.stop(farewell: reader?.farewell ?? [])
    }

    public var identity: DeviceIdentity {
        DeviceIdentity(
            id: configuration.deviceID, vendorID: configuration.usb?.vendorID,
            productID: configuration.usb?.productID, serial: configuration.usb?.serial,
            firmware: configuration.firmware, transport: .serial)
    }

    /// Runs until ``SerialInputSource/stop()``; every chunk read is committed before the
    /// next is read.
    public func run() async {
        if let reader {
            await runReader(reader)
            return
        }
        var builder = await prepare()
        var framer = LineFramer(maximumLength: configuration.maxLineBytes)
        var rate = RateWatch(windowMilliseconds: configuration.floodWindowMilliseconds)
        source.start()
        for await input in source.inputs {
            switch input {
            case .opened:
                logger.info("serial device opened", metadata: ["line": "\(source.settings)"])
                states?.opened(configuration.deviceID)
            case .unavailable(let problem):
                logger.warning("\(problem.description)")
                states?.unavailable(configuration.deviceID, problem: problem.description)
            case .closed(let reason):
                states?.closed(configuration.deviceID, reason: reason)
                logger.warning("serial device went away; waiting for it to return", metadata: ["reason": "\(reason)"])
                if let pending = framer.takePending() {
                    await store([builder.incomplete(pending)])
                }
            case .timer:
                source.acknowledge()
            case .bytes(let chunk, let receivedAt):
                let frames = framer.feed(chunk)
                if let change = rate.record(bytes: chunk.count, payloads: frames.count, now: receivedAt) {
                    change.report(
                        deviceID: configuration.deviceID, logger: logger, states: states, counters: counters)
                }
                if !frames.isEmpty {
                    let now = Timestamp.now()
                    let synchronized = SystemClock.isSynchronized
                    var entries: [OutboxEntry] = []
                    for frame in frames {
                        entries += builder.entries(
                            for: frame, limit: configuration.maxLineBytes, at: now, clockSynchronized: synchronized)
                    }
                    await store(entries)
                }
                source.acknowledge()
            }
        }
    }

    /// Resolves the profile, loads the shapes already seen, and reports a firmware change
    /// (once: the new revision is recorded in the same transaction as the event).
    func prepare() async -> ScanEventBuilder {
        let profile = catalog.resolve(
            id: profileID, vendorID: configuration.usb?.vendorID, productID: configuration.usb?.productID,
            serial: configuration.usb?.serial, firmware: configuration.firmware)
        var device = identity
        device.profile = profile?.name
        if profile == nil {
            logger.error(
                "no version of profile \(profileID) matches firmware \(configuration.firmware ?? "(none)"); every payload is held in quarantine until one does"
            )
        }
        let record = DeviceRecord(
            id: device.id, path: configuration.path, vendorID: device.vendorID, productID: device.productID,
            serial: device.serial, firmware: configuration.firmware, transport: "serial", profile: device.profile)
        var known: Set<String> = []
        do {
            known = try registry.fingerprints(of: device.id)
            if let previous = try registry.device(device.id), previous.firmware != configuration.firmware {
                logger.warning(
                    "firmware changed from \(previous.firmware ?? "(none)") to \(configuration.firmware ?? "(none)"); payloads are checked against profile \(device.profile ?? profileID)"
                )
                var writer = JSONWriter()
                writer.beginObject()
                writer.field("old", previous.firmware)
                writer.field("new", configuration.firmware)
                writer.field("profile", device.profile)
                writer.endObject()
                let event = PendingEvent(
                    type: .deviceFirmwareChanged, occurredAt: .now(), device: device, data: writer.bytes, raw: nil,
                    clockSynchronized: SystemClock.isSynchronized)
                await store([
                    OutboxEntry(
                        event: event,
                        effects: [
                            .device(record),
                            .alert(
                                kind: "firmware_changed",
                                detail:
                                    "firmware \(previous.firmware ?? "(none)") → \(configuration.firmware ?? "(none)")"),
                        ])
                ])
            } else {
                try registry.record(record)
            }
        } catch {
            logger.error("cannot read or record the device's history: \(error)")
        }
        return ScanEventBuilder(
            device: device, profile: profile, knownFingerprints: known,
            unmatchedProfile: profile == nil ? profileID : nil)
    }

    var sink: EventSink {
        EventSink(outbox: outbox, storage: storage, counters: counters, logger: logger, metrics: metrics)
    }

    func store(_ entries: [OutboxEntry]) async { await sink.store(entries) }
}
