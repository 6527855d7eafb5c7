import ScanBridgeCore
import Synchronization

/// Whether each configured device is connected right now, and what is wrong if not: the
/// part of a device's state that lives only in the running agent (counts live in the store).
public final class DeviceStates: Sendable {
    public struct State: Sendable, Equatable {
        public var id: String
        public var path: String
        /// `scanner` or `reader`, for the status page's wording.
        public var kind: String
        public var connected = false
        public var since: Timestamp?
        /// Why the device cannot be used (permissions, absent), in the operator's terms.
        public var problem: String?
    }

    /// A payload held while the device could not be told (a keyboard wedge has no return
    /// channel): the status page turns red and sounds until the operator acknowledges it.
    public struct Hold: Sendable, Equatable {
        public var quarantineID: String
        public var deviceID: String
        public var path: String
        public var reason: String
        public var at: Timestamp
        /// Increasing, so an acknowledgement covers exactly the holds the page showed.
        public var number = 0
    }

    /// The page shows the latest ones; older holds stay in the quarantine, listed there.
    static let maximumHolds = 50

    private let states = Mutex<[String: State]>([:])
    private let holds = Mutex<(list: [Hold], next: Int)>(([], 1))
    private let order = Mutex<[String]>([])

    private let metrics: AgentMetrics?

    public init(metrics: AgentMetrics? = nil) {
        self.metrics = metrics
    }

    func register(id: String, path: String, kind: String) {
        states.withLock { $0[id] = State(id: id, path: path, kind: kind) }
        metrics?.attached(device: id, kind: kind)
        order.withLock { if !$0.contains(id) { $0.append(id) } }
    }

    func opened(_ id: String) {
        states.withLock {
            $0[id]?.connected = true
            $0[id]?.since = .now()
            $0[id]?.problem = nil
        }
    }

    /// A problem of a connected device (it floods), or nil once it is over.
    func flag(_ id: String, problem: String?) {
        states.withLock { $0[id]?.problem = problem }
    }

    func closed(_ id: String, reason: String) {
        states.withLock {
            $0[id]?.connected = false
            $0[id]?.since = .now()
            $0[id]?.problem = reason
        }
    }

    func unavailable(_ id: String, problem: String) {
        states.withLock {
            $0[id]?.connected = false
            $0[id]?.problem = problem
        }
    }

    func hold(_ hold: Hold) {
        holds.withLock {
            var hold = hold
            hold.number = $0.next
            $0.next += 1
            $0.list.append(hold)
            if $0.list.count > Self.maximumHolds { $0.list.removeFirst($0.list.count - Self.maximumHolds) }
        }
    }

    /// Holds not acknowledged yet, oldest first.
    public var unacknowledgedHolds: [Hold] { holds.withLock { $0.list } }

    /// Clears the holds up to `number` (those the page showed); later ones stay. Returns how many.
    @discardableResult
    public func acknowledgeHolds(through number: Int) -> Int {
        holds.withLock { holds in
            let before = holds.list.count
            holds.list.removeAll { $0.number <= number }
            return before - holds.list.count
        }
    }

    /// In configuration order.
    public var all: [State] {
        let ids = order.withLock { $0 }
        return states.withLock { states in ids.compactMap { states[$0] } }
    }

    public var connectedCount: Int { states.withLock { $0.values.filter(\.connected).count } }
}
