import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeStore

extension SerialDeviceRunner {
    /// Reads a protocol-speaking reader (or an RFID line reader) until the agent stops: frames
    /// decoded and checked, tag reads merged into observations, the reader's session kept
    /// alive, rejected bytes counted and sampled into quarantine.
    func runReader(_ codec: ReaderCodec) async {
        let builder = await prepare()
        var decoder = codec.makeDecoder()
        var session = codec.makeSession()
        var window = ObservationWindow(windowMilliseconds: configuration.dedupWindowMilliseconds)
        var budget = RejectionBudget()
        source.start()
        for await input in source.inputs {
            var outputs: [ReaderOutput] = []
            var actions: [ReaderSession.Action] = []
            var closedWindows: [TagObservation] = []
            var acknowledge = false
            let now: UInt64
            switch input {
            case .opened:
                now = MonotonicClock.nanoseconds()
                logger.info(
                    "reader opened", metadata: ["line": "\(source.settings)", "framing": "\(framing.rawValue)"])
                states?.opened(configuration.deviceID)
                decoder = codec.makeDecoder()
                actions = session.opened(now: now)
            case .unavailable(let problem):
                logger.warning("\(problem.description)")
                states?.unavailable(configuration.deviceID, problem: problem.description)
                continue
            case .closed(let reason):
                now = MonotonicClock.nanoseconds()
                logger.warning("reader went away; waiting for it to return", metadata: ["reason": "\(reason)"])
                states?.closed(configuration.deviceID, reason: reason)
                outputs = decoder.finish()
                session.closed()
            case .bytes(let chunk, let receivedAt):
                now = receivedAt
                acknowledge = true
                session.heard(now: now)
                outputs = decoder.feed(chunk, now: now)
            case .timer(let firedAt):
                now = firedAt
                acknowledge = true
                if let due = decoder.deadline, due <= now { outputs = decoder.expire(now: now) }
                actions = session.timer(now: now)
            }
            let time = Timestamp.now()
            var entries: [OutboxEntry] = []
            var reads = 0
            for output in outputs {
                switch output {
                case .tag(let read):
                    reads += 1
                    closedWindows += window.add(read, now: now, at: time)
                case .reply(let reply):
                    actions += session.reply(reply, now: now)
                case .rejected(let rejected):
                    counters.update { $0.rejectedBytes += rejected.count }
                    if let entry = budget.admit(rejected, builder: builder, at: time, now: now, logger: logger) {
                        entries.append(entry)
                    }
                }
            }
            if case .closed = input {
                closedWindows += window.closeAll()
            } else {
                closedWindows += window.expire(now: now)
            }
            if reads > 0 { counters.update { $0.tagReads += reads } }
            let synchronized = SystemClock.isSynchronized
            for observation in closedWindows {
                entries.append(
                    OutboxEntry(
                        event: PendingEvent(
                            type: .rfidObserved, occurredAt: observation.firstSeen, device: builder.device,
                            data: ObservationEvent.data(observation, decodeEPC: codec.decodesEPC),
                            raw: observation.frame, clockSynchronized: synchronized)))
            }
            await store(entries)
            if !closedWindows.isEmpty {
                counters.update { $0.observedReads += closedWindows.reduce(0) { $0 + $1.reads } }
            }
            perform(actions)
            source.setDeadline([decoder.deadline, session.deadline, window.deadline].compactMap { $0 }.min())
            if acknowledge { source.acknowledge() }
        }
        // Shutdown: what the decoder still holds and every open window are stored.
        let time = Timestamp.now()
        var entries: [OutboxEntry] = []
        var closed: [TagObservation] = []
        for case .tag(let read) in decoder.finish() {
            closed += window.add(read, now: MonotonicClock.nanoseconds(), at: time)
            counters.update { $0.tagReads += 1 }
        }
        closed += window.closeAll()
        for observation in closed {
            entries.append(
                OutboxEntry(
                    event: PendingEvent(
                        type: .rfidObserved, occurredAt: observation.firstSeen, device: builder.device,
                        data: ObservationEvent.data(observation, decodeEPC: codec.decodesEPC), raw: observation.frame,
                        clockSynchronized: SystemClock.isSynchronized)))
        }
        await store(entries)
        counters.update { $0.observedReads += closed.reduce(0) { $0 + $1.reads } }
    }

    private func perform(_ actions: [ReaderSession.Action]) {
        for action in actions {
            switch action {
            case .send(let bytes, let what):
                do {
                    try source.send(bytes)
                    logger.debug("sent \(what)")
                } catch {
                    logger.warning("cannot send \(what) to the reader: \(error.description)")
                }
            case .notice(let text):
                logger.warning("\(text)")
            }
        }
    }
}

/// Keeps a sample of rejected reader bytes in quarantine without letting a noisy line (a
/// wrong baud rate, a failing cable) flood the outbox: at most `perMinute` samples a minute,
/// the rest counted and summarised in the log.
struct RejectionBudget {
    var perMinute = 10
    private var windowStart: UInt64 = 0
    private var used = 0
    private var suppressedRuns = 0
    private var suppressedBytes = 0

    mutating func admit(
        _ rejected: RejectedBytes, builder: ScanEventBuilder, at time: Timestamp, now: UInt64, logger: Logger
    ) -> OutboxEntry? {
        if now &- windowStart >= 60_000_000_000 {
            if suppressedRuns > 0 {
                logger.warning(
                    "reader line noisy: \(suppressedRuns) more rejected byte runs (\(suppressedBytes) bytes) in the last minute were counted but not kept — check baud rate, parity and cable"
                )
            }
            windowStart = now
            used = 0
            suppressedRuns = 0
            suppressedBytes = 0
        }
        guard used < perMinute else {
            suppressedRuns += 1
            suppressedBytes += rejected.count
            return nil
        }
        used += 1
        let message =
            "reader bytes rejected (\(rejected.reason.rawValue)): \(rejected.count) bytes; the first \(rejected.sample.count) are kept"
        return builder.rejected(
            rejected.sample, code: "frame_" + rejected.reason.rawValue, message: message, length: rejected.count,
            at: time)
    }
}
