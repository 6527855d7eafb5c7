import ScanBridgeUpstream
import Synchronization

/// Live counts for progress lines and the status endpoint; cheap to bump from any task.
public final class AgentCounters: Sendable {
    /// How one feedback signal went: written to the device, refused by it, or shown on the
    /// status page (no return channel, or after a refusal).
    public enum FeedbackResult: String, Sendable, CaseIterable {
        case sent, failed, shown
    }

    public struct Snapshot: Sendable, Equatable {
        public var scanned = 0
        /// `rfid.observed` events stored.
        public var observed = 0
        /// Tag reports received from readers (before deduplication).
        public var tagReads = 0
        /// The reads the stored observations account for (the readers' own counts summed).
        public var observedReads = 0
        /// Bytes a reader codec rejected (bad CRC, bad length, garbage, incomplete frames).
        public var rejectedBytes = 0
        public var quarantined = 0
        public var stored = 0
        public var batchesSent = 0
        public var acknowledged = 0
        public var retries = 0
        public var parked = 0
        /// Times a device started flooding (see ``RateWatch``).
        public var babblingAlerts = 0
        /// Delivery outcomes the state database refused to record (the forwarder backs off).
        public var stateWriteFailures = 0
        public var lastError: String?
        /// Failed uploads since the last acknowledgement (the warning is logged on the first and every tenth).
        public var failuresInARow = 0
        /// What went upstream and how (compression, bytes), once a batch has been sent.
        public var upstream: HTTPUpstream.Traffic?
        /// Feedback signals by how they went.
        public var feedback: [FeedbackResult: Int] = [:]
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    @discardableResult
    public func update<T>(_ body: (inout Snapshot) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
