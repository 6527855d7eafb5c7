import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeStore
import Synchronization

/// Reads one discovered scanner node (keyboard wedge or HID POS) from attach to detach.
///
/// At attach it records the device and emits `device.attached` (preceded by
/// `device.firmware_changed` when a known device returns with another `bcdDevice`, so no scan
/// is accepted before the change is on record). At unplug a half-received scan becomes a
/// quarantined rejection, never a partial barcode, and `device.detached` follows.
final class ScannerNodeRunner: Sendable {
    let found: DiscoveredDevice
    let source: any DeviceInputSource
    private let decoder: Mutex<any NodeScanDecoder>
    private let sink: EventSink
    private let registry: DeviceRegistry
    private let catalog: ProfileCatalog
    private let states: DeviceStates?
    private let logger: Logger
    private let maximumLength: Int
    /// Set by ``stop(removed:)``: true when udev said the device went, false when the agent stops.
    private let stopRequest = Mutex<Bool?>(nil)

    init(
        found: DiscoveredDevice, decoder: any NodeScanDecoder, source: any DeviceInputSource,
        sink: EventSink, registry: DeviceRegistry, catalog: ProfileCatalog, states: DeviceStates?, logger: Logger,
        maximumLength: Int = 4096
    ) {
        self.found = found
        self.decoder = Mutex(decoder)
        self.source = source
        self.sink = sink
        self.registry = registry
        self.catalog = catalog
        self.states = states
        var logger = logger
        logger[metadataKey: "device"] = "\(found.node.devnode ?? found.node.syspath)"
        logger[metadataKey: "device_id"] = "\(found.deviceID)"
        self.logger = logger
        self.maximumLength = maximumLength
    }

    /// Ends reading: `removed` when udev reported the device gone (emits `device.detached`),
    /// else the agent is stopping (no event: the device is still there).
    func stop(removed: Bool) {
        stopRequest.withLock { if $0 == nil { $0 = removed } }
        source.stop()
    }

    func run() async {
        var builder = await attach()
        source.start()
        var closedReason: String?
        var openProblem: String?
        var rate = RateWatch()
        for await input in source.inputs {
            switch input {
            case .opened:
                logger.info("scanner opened", metadata: ["transport": "\(found.transport.rawValue)"])
                states?.opened(found.deviceID)
            case .unavailable(let problem):
                logger.error("\(problem.description)")
                states?.unavailable(found.deviceID, problem: problem.description)
                openProblem = problem.description
            case .closed(let reason):
                closedReason = reason
            case .bytes(let chunk, let receivedAt):
                let outputs = decoder.withLock { $0.feed(chunk, receivedAt: receivedAt) }
                // Counted in decoded bytes: an evdev node sends ~100 bytes of events per character.
                let decoded = outputs.reduce(0) {
                    switch $1 {
                    case .scan(let bytes), .rejected(_, let bytes): $0 + bytes.count
                    }
                }
                if let change = rate.record(bytes: decoded, payloads: outputs.count, now: receivedAt) {
                    change.report(deviceID: found.deviceID, logger: logger, states: states, counters: sink.counters)
                }
                await store(outputs, builder: &builder)
                source.setDeadline(decoder.withLock { $0.deadline })
                source.acknowledge()
            case .timer(let now):
                let outputs = decoder.withLock { $0.expire(now: now) }
                await store(outputs, builder: &builder)
                source.setDeadline(decoder.withLock { $0.deadline })
                source.acknowledge()
            }
        }
        let removed = stopRequest.withLock { $0 } ?? (closedReason != nil)
        // A node that could not be opened is still plugged in: its state keeps the problem
        // (with the fix) and no detach is reported.
        if let openProblem, !removed {
            logger.notice("scanner not read: \(openProblem)")
            return
        }
        let reason = closedReason ?? (removed ? "removed" : "agent stopping")
        let leftover = decoder.withLock {
            $0.flush(
                reason: removed ? "device unplugged in the middle of a scan" : "agent stopped in the middle of a scan")
        }
        await store(leftover, builder: &builder)
        states?.closed(found.deviceID, reason: reason)
        guard removed else { return }
        logger.notice("scanner detached", metadata: ["reason": "\(reason)"])
        await sink.store([found.detachedEvent(device: builder.device, reason: reason)])
    }

    private func store(_ outputs: [NodeScanOutput], builder: inout ScanEventBuilder) async {
        guard !outputs.isEmpty else { return }
        let now = Timestamp.now()
        let synchronized = SystemClock.isSynchronized
        var entries: [OutboxEntry] = []
        for output in outputs {
            switch output {
            case .scan(let bytes):
                entries += builder.entries(
                    for: .line(bytes), limit: maximumLength, at: now, clockSynchronized: synchronized)
            case .rejected(let reason, let raw):
                logger.warning("scan rejected: \(reason)")
                entries.append(
                    builder.rejected(raw, code: "scan_rejected", message: reason, length: raw.count, at: now))
            }
        }
        await sink.store(entries)
    }

    /// Records the device and announces it; returns the builder for its payloads.
    private func attach() async -> ScanEventBuilder {
        let usb = found.node.usb
        let firmware = usb?.firmware
        let profileID = found.profileID ?? "serial-lines"
        let profile = catalog.resolve(
            id: profileID, vendorID: usb?.vendorID, productID: usb?.productID, serial: usb?.serial,
            firmware: firmware)
        var device = found.identity
        device.profile = profile?.name
        if profile == nil {
            logger.error(
                "no version of profile \(profileID) matches firmware \(firmware ?? "(none)"); every payload is held in quarantine until one does"
            )
        }
        states?.register(id: found.deviceID, path: found.node.devnode ?? found.node.syspath, kind: "scanner")
        var known: Set<String> = []
        var entries: [OutboxEntry] = []
        do {
            known = try registry.fingerprints(of: device.id)
            if let previous = try registry.device(device.id), previous.firmware != firmware {
                logger.warning(
                    "firmware changed from \(previous.firmware ?? "(none)") to \(firmware ?? "(none)"); payloads are checked against profile \(device.profile ?? profileID)"
                )
                var writer = JSONWriter()
                writer.beginObject()
                writer.field("old", previous.firmware)
                writer.field("new", firmware)
                writer.field("profile", device.profile)
                writer.endObject()
                var changed = OutboxEntry.deviceEvent(.deviceFirmwareChanged, data: writer.bytes, device: device)
                changed.effects = [
                    .alert(
                        kind: "firmware_changed",
                        detail: "\(device.id): firmware \(previous.firmware ?? "(none)") → \(firmware ?? "(none)")")
                ]
                entries.append(changed)
            }
        } catch {
            logger.error("cannot read the device's history: \(error)")
        }
        entries.append(found.attachedEvent(device: device))
        logger.notice(
            "scanner attached",
            metadata: [
                "vendor_id": "\(usb?.vendorID ?? "-")", "product_id": "\(usb?.productID ?? "-")",
                "firmware": "\(firmware ?? "-")", "profile": "\(device.profile ?? "-")",
                "matched_by": "\(found.matchedBy ?? "-")",
            ])
        await sink.store(entries)
        return ScanEventBuilder(
            device: device, profile: profile, knownFingerprints: known,
            unmatchedProfile: profile == nil ? profileID : nil)
    }
}
