import ScanBridgeCore
import ScanBridgePayloads

/// A scanner read through a decoder of its own node kind (keyboard wedge through the keymap,
/// HID POS through its report descriptor): scans checked under the profile, rejected
/// keystrokes or reports quarantined, a scan cut by an unplug or a stop quarantined whole.
public struct NodeScannerMachine<Decoder: NodeScanDecoder>: DeviceMachine {
    private var decoder: Decoder
    private var builder: ScanEventBuilder
    private var rate: RateWatch
    private let maxLineBytes: Int

    public init(
        decoder: Decoder, builder: ScanEventBuilder, maxLineBytes: Int = 4096, floodWindowMilliseconds: Int = 10_000
    ) {
        self.decoder = decoder
        self.builder = builder
        self.maxLineBytes = maxLineBytes
        rate = RateWatch(windowMilliseconds: floodWindowMilliseconds)
    }

    public mutating func handle(_ input: ReadingInput) -> Reaction {
        var reaction = Reaction()
        let outputs: [NodeScanOutput]
        switch input {
        case .opened:
            outputs = []
        case .bytes(let chunk, let at):
            outputs = decoder.feed(chunk, receivedAt: at.monotonic)
            // Counted in decoded bytes: an evdev node sends ~100 bytes of events per character.
            let decoded = outputs.reduce(0) {
                switch $1 {
                case .scan(let bytes), .rejected(_, let bytes): $0 + bytes.count
                }
            }
            reaction.rate = rate.record(bytes: decoded, payloads: outputs.count, now: at.monotonic)
        case .timer(let at):
            outputs = decoder.expire(now: at.monotonic)
        case .closed:
            outputs = decoder.flush(reason: "device unplugged in the middle of a scan")
        case .ended(let removed, _):
            outputs = decoder.flush(
                reason: removed ? "device unplugged in the middle of a scan" : "agent stopped in the middle of a scan")
        }
        let at = input.instant
        for output in outputs {
            switch output {
            case .scan(let bytes):
                reaction.entries += builder.entries(
                    for: .line(bytes), limit: maxLineBytes, at: at.wall, clockSynchronized: at.clockSynchronized)
            case .rejected(let reason, let raw):
                reaction.notes.append(Note(.warning, "scan rejected: \(reason)"))
                reaction.entries.append(
                    builder.rejected(
                        raw, code: "scan_rejected", message: reason, length: raw.count, at: at.wall,
                        clockSynchronized: at.clockSynchronized))
            }
        }
        reaction.deadline = decoder.deadline
        return reaction
    }

    public mutating func switchProfile(to profile: DeviceProfile?, profileID: String) {
        builder = builder.switching(to: profile, profileID: profileID)
    }
}
