import Synchronization

/// Whether the outbox is refusing new events for lack of space.
///
/// Readers set it when a commit fails as full (and stop reading meanwhile, so nothing is
/// counted as received that is not stored); the forwarder then prunes acknowledged data as
/// soon as it can, which is what frees the space.
public final class StorageState: Sendable {
    private let full = Mutex(false)
    private let stopping = Mutex(false)
    private let doorbell: Doorbell

    public init(doorbell: Doorbell) {
        self.doorbell = doorbell
    }

    public var isFull: Bool { full.withLock { $0 } }

    /// Set when the agent is asked to stop: a commit that keeps failing is then given up
    /// (and said so) instead of retried until the disk frees, which would hold the shutdown
    /// past systemd's stop timeout.
    public var isStopping: Bool { stopping.withLock { $0 } }

    public func beginStopping() {
        stopping.withLock { $0 = true }
    }

    /// Returns whether this starts a new episode (so it is reported once).
    @discardableResult
    public func markFull() -> Bool {
        let started = full.withLock { value in
            defer { value = true }
            return !value
        }
        doorbell.ring()
        return started
    }

    /// Returns whether an episode just ended.
    @discardableResult
    public func markRecovered() -> Bool {
        full.withLock { value in
            defer { value = false }
            return value
        }
    }
}
