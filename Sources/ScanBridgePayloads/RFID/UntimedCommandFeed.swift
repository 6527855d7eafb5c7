/// The simulator's untimed way into a command decoder, shared by every protocol: bytes are
/// stamped with the monotonic clock (so the inter-byte timeout still applies) and only the
/// commands come back, rejected bytes being counted.
struct UntimedCommandFeed: Sendable {
    private var clockOrigin: ContinuousClock.Instant?
    private(set) var rejectedByteCount = 0

    /// Nanoseconds since the first call.
    mutating func now() -> UInt64 {
        let clock = ContinuousClock()
        let origin = clockOrigin ?? clock.now
        clockOrigin = origin
        let elapsed = (clock.now - origin).components
        return UInt64(max(elapsed.seconds, 0)) &* 1_000_000_000 &+ UInt64(max(elapsed.attoseconds, 0) / 1_000_000_000)
    }

    mutating func commands(from outputs: [HostCommandOutput]) -> [HostCommand] {
        var commands: [HostCommand] = []
        for output in outputs {
            switch output {
            case .command(let command): commands.append(command)
            case .rejected(let run): rejectedByteCount += run.count
            }
        }
        return commands
    }
}
