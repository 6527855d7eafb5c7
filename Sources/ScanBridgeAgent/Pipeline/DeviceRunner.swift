import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeStore
import Synchronization

/// Reads one device of any kind from attach until it goes or the agent stops: it feeds what
/// the source delivers to the device's machine (``ScanBridgeReading/DeviceMachine``) and does
/// what the machine answers — stores, writes, logs, counts, sets the next timer. Every chunk
/// is committed before the next is read.
///
/// At attach it loads the device's history, reports a firmware change (its event committed
/// before any payload is checked under the new profile) and announces a discovered device; at
/// unplug a half-received payload is quarantined, never sent, and `device.detached` follows.
public final class DeviceRunner: Sendable {
    /// The device as the agent knows it before reading it.
    public struct Target: Sendable {
        public var identity: DeviceIdentity
        public var path: String
        /// The profile it names, and the version that matches its firmware (nil: none does).
        public var profileID: String
        public var profile: DeviceProfile?
        /// Set for a device discovery found: it is announced (`device.attached`, `device.detached`).
        public var discovered: DiscoveredDevice?
    }

    public let target: Target
    public let plan: ReadingPlan
    public let source: any DeviceInputSource
    private let sink: EventSink
    private let registry: DeviceRegistry
    private let states: DeviceStates?
    private let logger: Logger
    /// How the person at the device hears about a held scan; nil: feedback is off for it.
    let feedback: FeedbackPlan?
    /// The profiles in force; a new generation (a bundle applied) is taken up between inputs.
    let book: ProfileBook?
    /// Set by ``stop(removed:)``: true when udev said the device went, false when the agent stops.
    private let stopRequest = Mutex<Bool?>(nil)

    init(
        target: Target, plan: ReadingPlan, source: any DeviceInputSource, sink: EventSink, registry: DeviceRegistry,
        states: DeviceStates?, logger: Logger, feedback: FeedbackPlan? = nil, book: ProfileBook? = nil
    ) {
        self.target = target
        self.feedback = feedback
        self.book = book
        self.plan = plan
        self.source = source
        self.sink = sink
        self.registry = registry
        self.states = states
        var logger = logger
        logger[metadataKey: "device"] = "\(target.path)"
        logger[metadataKey: "device_id"] = "\(target.identity.id)"
        self.logger = logger
    }

    public var deviceID: String { target.identity.id }

    /// Ends reading: `removed` when udev reported the device gone (a discovered device is then
    /// announced detached), else the agent is stopping; a reader is first sent its stop commands.
    public func stop(removed: Bool = false) {
        stopRequest.withLock { if $0 == nil { $0 = removed } }
        source.stop(farewell: plan.farewell)
    }

    public func run() async {
        states?.register(id: deviceID, path: target.path, kind: plan.kind)
        let (attached, device) = await attach()
        var machine = attached
        source.start()
        var closedReason: String?
        var openProblem: String?
        // A device that refused a write is not written to again until it is reopened.
        var feedbackRefused = false
        var generation = book?.generation ?? 0
        var profileLabel = target.profile.map { "\($0.name) (\($0.source))" }
        for await input in source.inputs {
            if let book, book.generation != generation {
                let snapshot = book.snapshot()
                generation = snapshot.generation
                let identity = target.identity
                let profile = snapshot.catalog.resolve(
                    id: target.profileID, vendorID: identity.vendorID, productID: identity.productID,
                    serial: identity.serial, firmware: identity.firmware)
                machine.switchProfile(to: profile, profileID: target.profileID)
                let label = profile.map { "\($0.name) (\($0.source))" }
                if label != profileLabel {
                    logger.notice(
                        "payloads are now judged under \(label ?? "no profile: no version matches")",
                        metadata: ["was": "\(profileLabel ?? "-")"])
                    profileLabel = label
                }
            }
            let reaction: Reaction
            switch input {
            case .opened:
                openProblem = nil
                closedReason = nil
                feedbackRefused = false
                var metadata: Logger.Metadata = ["reading": "\(plan.name)"]
                if let serial = source as? SerialInputSource { metadata["line"] = "\(serial.settings)" }
                logger.info("device opened", metadata: metadata)
                states?.opened(deviceID)
                reaction = machine.handle(.opened(Self.instant()))
            case .unavailable(let problem):
                // A port is retried; a hotplugged node that cannot be opened is not read at all.
                logger.log(level: target.identity.transport == .serial ? .warning : .error, "\(problem.description)")
                states?.unavailable(deviceID, problem: problem.description)
                openProblem = problem.description
                continue
            case .closed(let reason):
                closedReason = reason
                states?.closed(deviceID, reason: reason)
                if target.identity.transport == .serial {
                    logger.warning("device went away; waiting for it to return", metadata: ["reason": "\(reason)"])
                }
                reaction = machine.handle(.closed(reason: reason, Self.instant()))
            case .bytes(let chunk, let receivedAt):
                reaction = machine.handle(.bytes(chunk, Self.instant(receivedAt)))
            case .timer(let firedAt):
                reaction = machine.handle(.timer(Self.instant(firedAt)))
            }
            await perform(reaction)
            source.setDeadline(reaction.deadline)
            switch input {
            case .bytes, .timer:
                // Only while the device is open: at a close there is nobody left to tell.
                if let feedback, let signal = FeedbackSignal.of(reaction.entries) {
                    deliver(signal, plan: feedback, refused: &feedbackRefused)
                }
                source.acknowledge()
            case .opened, .closed, .unavailable: break
            }
        }
        let removed = stopRequest.withLock { $0 } ?? (closedReason != nil)
        // A node that could not be opened is still plugged in: its state keeps the problem
        // (with the fix) and no detach is reported.
        if let openProblem, !removed {
            logger.notice("device not read: \(openProblem)")
            return
        }
        await perform(machine.handle(.ended(removed: removed, Self.instant())))
        let reason = closedReason ?? (removed ? "removed" : "agent stopping")
        if closedReason == nil { states?.closed(deviceID, reason: reason) }
        guard removed, let discovered = target.discovered else { return }
        logger.notice("device detached", metadata: ["reason": "\(reason)"])
        await sink.store([discovered.detachedEvent(device: device, reason: reason)])
    }

    /// Loads the device's history, commits what attaching it means, and makes its machine.
    private func attach() async -> (any DeviceMachine, DeviceIdentity) {
        var device = target.identity
        device.profile = target.profile?.name
        var history: DeviceAttachment.History?
        do {
            history = DeviceAttachment.History(
                previous: try registry.device(device.id), fingerprints: try registry.fingerprints(of: device.id))
        } catch {
            logger.error("cannot read the device's history: \(error)")
        }
        let attachment = DeviceAttachment(
            device: device, path: target.path, profileID: target.profileID, profile: target.profile,
            history: history, announcement: target.discovered?.attachedEvent(device: device), at: Self.instant())
        log(attachment.notes)
        if let record = attachment.record {
            do { try registry.record(record) } catch { logger.error("cannot record the device: \(error)") }
        }
        await sink.store(attachment.entries)
        if let discovered = target.discovered {
            logger.notice(
                "device attached",
                metadata: [
                    "transport": "\(device.transport.rawValue)", "vendor_id": "\(device.vendorID ?? "-")",
                    "product_id": "\(device.productID ?? "-")", "firmware": "\(device.firmware ?? "-")",
                    "profile": "\(device.profile ?? "-")", "matched_by": "\(discovered.matchedBy ?? "-")",
                ])
        }
        return (plan.makeMachine(builder: attachment.builder), attachment.builder.device)
    }

    private func perform(_ reaction: Reaction) async {
        log(reaction.notes)
        if let change = reaction.rate {
            change.report(deviceID: deviceID, logger: logger, states: states, counters: sink.counters)
        }
        // Counted once stored: a read is "observed" only when its observation is in the outbox,
        // so `stored` never lags `observedReads` (the demo's drain check relies on it).
        await sink.store(reaction.entries)
        let counts = reaction.counts
        if !counts.isEmpty {
            sink.counters.update {
                $0.tagReads += counts.tagReads
                $0.observedReads += counts.observedReads
                $0.rejectedBytes += counts.rejectedBytes
            }
        }
        for command in reaction.commands {
            do {
                try source.send(command.bytes)
                logger.debug("sent \(command.purpose)")
            } catch {
                logger.warning("cannot send \(command.purpose) to the reader: \(error.description)")
            }
        }
    }

    /// Beeps the device, or shows the hold on the status page when it cannot be told; a
    /// refusal is logged once and the device is not written to again until it is reopened.
    private func deliver(_ signal: FeedbackSignal, plan: FeedbackPlan, refused: inout Bool) {
        switch plan.action(for: signal, deviceRefused: refused) {
        case .none:
            return
        case .write(let bytes):
            do {
                try source.send(bytes)
                sink.recordFeedback(device: deviceID, kind: signal.kind, result: .sent)
                return
            } catch {
                refused = true
                logger.warning(
                    "device refused its feedback (\(plan.channel?.rawValue ?? "-")): \(error.description) — holds are shown on the status page until it is reopened"
                )
                sink.recordFeedback(device: deviceID, kind: signal.kind, result: .failed)
            }
            guard case .held = signal else { return }
        case .showOnPage:
            break
        }
        guard case .held(let holds) = signal else { return }
        for hold in holds {
            states?.hold(
                DeviceStates.Hold(
                    quarantineID: hold.quarantineID, deviceID: deviceID, path: target.path, reason: hold.reason,
                    at: .now()))
        }
        sink.recordFeedback(device: deviceID, kind: signal.kind, result: .shown)
    }

    private func log(_ notes: [Note]) {
        for note in notes { logger.log(level: note.level.logLevel, "\(note.message)") }
    }

    private static func instant(_ monotonic: UInt64 = MonotonicClock.nanoseconds()) -> ReadingInstant {
        ReadingInstant(monotonic: monotonic, wall: .now(), clockSynchronized: SystemClock.isSynchronized)
    }
}

extension Note.Level {
    var logLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
    }
}
