/// Bounds on one batch: whichever is reached first closes it.
public struct BatchLimits: Sendable, Equatable {
    public var maxEvents: Int
    public var maxBytes: Int
    public var maxAgeMilliseconds: Int

    public static let `default` = BatchLimits(maxEvents: 500, maxBytes: 256 * 1024, maxAgeMilliseconds: 1000)

    public init(maxEvents: Int, maxBytes: Int, maxAgeMilliseconds: Int) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
        self.maxAgeMilliseconds = maxAgeMilliseconds
    }
}
