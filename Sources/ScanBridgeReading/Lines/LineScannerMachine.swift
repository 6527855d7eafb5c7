import ScanBridgeCore
import ScanBridgePayloads

/// A scanner that sends text lines: a serial port, or a USB interface in a "USB COM"-like
/// vendor mode. Lines are checked under the profile; an oversize line is quarantined by its
/// prefix; a half line left by an unplug or a stop is quarantined, never sent as a scan.
public struct LineScannerMachine: DeviceMachine {
    private var builder: ScanEventBuilder
    private var framer: LineFramer
    private var rate: RateWatch
    private let maxLineBytes: Int

    public init(builder: ScanEventBuilder, maxLineBytes: Int, floodWindowMilliseconds: Int = 10_000) {
        self.builder = builder
        self.maxLineBytes = maxLineBytes
        framer = LineFramer(maximumLength: maxLineBytes)
        rate = RateWatch(windowMilliseconds: floodWindowMilliseconds)
    }

    public mutating func handle(_ input: ReadingInput) -> Reaction {
        var reaction = Reaction()
        switch input {
        case .opened, .timer:
            break
        case .bytes(let chunk, let at):
            let frames = framer.feed(chunk)
            reaction.rate = rate.record(bytes: chunk.count, payloads: frames.count, now: at.monotonic)
            for frame in frames {
                reaction.entries += builder.entries(
                    for: frame, limit: maxLineBytes, at: at.wall, clockSynchronized: at.clockSynchronized)
            }
        case .closed(_, let at), .ended(_, let at):
            if let pending = framer.takePending() {
                reaction.entries.append(
                    builder.incomplete(pending, at: at.wall, clockSynchronized: at.clockSynchronized))
            }
        }
        return reaction
    }

    public mutating func switchProfile(to profile: DeviceProfile?, profileID: String) {
        builder = builder.switching(to: profile, profileID: profileID)
    }
}
