/// Exponential backoff with full jitter and a cap, honouring `Retry-After`.
///
/// A value, not a timer: the forwarder asks it how long to wait and sleeps; tests ask it with
/// a seeded generator and check the numbers.
public struct Backoff: Sendable {
    public var initialMilliseconds: Int
    public var capMilliseconds: Int
    public private(set) var failures = 0

    public init(initialMilliseconds: Int = 250, capMilliseconds: Int = 60_000) {
        self.initialMilliseconds = initialMilliseconds
        self.capMilliseconds = capMilliseconds
    }

    /// The delay before the next attempt after one more failure. A server's `Retry-After` is
    /// a floor: waiting less would only earn another refusal.
    public mutating func nextDelayMilliseconds(
        retryAfterMilliseconds: Int? = nil, using generator: inout some RandomNumberGenerator
    ) -> Int {
        failures += 1
        let exponent = failures - 1
        let ceiling = exponent >= 24 ? capMilliseconds : min(capMilliseconds, initialMilliseconds << exponent)
        let jittered = ceiling / 2 + Int.random(in: 0...max(0, ceiling / 2), using: &generator)
        if let retryAfterMilliseconds { return max(jittered, min(retryAfterMilliseconds, 3_600_000)) }
        return jittered
    }

    public mutating func nextDelayMilliseconds(retryAfterMilliseconds: Int? = nil) -> Int {
        var generator = SystemRandomNumberGenerator()
        return nextDelayMilliseconds(retryAfterMilliseconds: retryAfterMilliseconds, using: &generator)
    }

    public mutating func reset() {
        failures = 0
    }
}
