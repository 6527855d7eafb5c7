import ScanBridgeCore
import ScanBridgePayloads

/// A reader that speaks a protocol (or an RFID line reader): frames decoded and checked, tag
/// reads merged into observations, the reader's session kept alive, rejected bytes counted
/// and sampled into quarantine.
public struct ReaderMachine: DeviceMachine {
    public let codec: ReaderCodec
    private var builder: ScanEventBuilder
    private var decoder: any ReaderFrameDecoder
    private var session: ReaderSession
    private var window: ObservationWindow
    private var budget = RejectionBudget()

    public init(codec: ReaderCodec, builder: ScanEventBuilder, dedupWindowMilliseconds: Int) {
        self.codec = codec
        self.builder = builder
        decoder = codec.makeDecoder()
        session = codec.makeSession()
        window = ObservationWindow(windowMilliseconds: dedupWindowMilliseconds)
    }

    public mutating func handle(_ input: ReadingInput) -> Reaction {
        var reaction = Reaction()
        var outputs: [ReaderOutput] = []
        var actions: [ReaderSession.Action] = []
        var closing = false
        let at = input.instant
        let now = at.monotonic
        switch input {
        case .opened:
            decoder = codec.makeDecoder()
            actions = session.opened(now: now)
        case .bytes(let chunk, _):
            session.heard(now: now)
            outputs = decoder.feed(chunk, now: now)
        case .timer:
            if let due = decoder.deadline, due <= now { outputs = decoder.expire(now: now) }
            actions = session.timer(now: now)
        case .closed, .ended:
            // What the decoder still holds and every open window are stored.
            outputs = decoder.finish()
            decoder = codec.makeDecoder()
            session.closed()
            closing = true
        }
        var observations: [TagObservation] = []
        for output in outputs {
            switch output {
            case .tag(let read):
                reaction.counts.tagReads += 1
                observations += window.add(read, now: now, at: at.wall)
            case .reply(let reply):
                actions += session.reply(reply, now: now)
            case .rejected(let rejected):
                reaction.counts.rejectedBytes += rejected.count
                let admitted = budget.admit(rejected, builder: builder, at: at)
                if let note = admitted.note { reaction.notes.append(note) }
                if let entry = admitted.entry { reaction.entries.append(entry) }
            }
        }
        observations += closing ? window.closeAll() : window.expire(now: now)
        for observation in observations {
            reaction.counts.observedReads += observation.reads
            reaction.entries.append(
                OutboxEntry(
                    event: PendingEvent(
                        type: .rfidObserved, occurredAt: observation.firstSeen, device: builder.device,
                        data: ObservationEvent.data(observation, decodeEPC: codec.decodesEPC),
                        raw: observation.frame, clockSynchronized: at.clockSynchronized)))
        }
        for action in actions {
            switch action {
            case .send(let bytes, let purpose): reaction.commands.append(Command(bytes: bytes, purpose: purpose))
            case .notice(let text): reaction.notes.append(Note(.warning, text))
            }
        }
        reaction.deadline = [decoder.deadline, session.deadline, window.deadline].compactMap { $0 }.min()
        return reaction
    }

    public mutating func switchProfile(to profile: DeviceProfile?, profileID: String) {
        builder = builder.switching(to: profile, profileID: profileID)
    }
}
