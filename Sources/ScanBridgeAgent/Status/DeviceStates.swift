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

    private let states = Mutex<[String: State]>([:])
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

    /// In configuration order.
    public var all: [State] {
        let ids = order.withLock { $0 }
        return states.withLock { states in ids.compactMap { states[$0] } }
    }

    public var connectedCount: Int { states.withLock { $0.values.filter(\.connected).count } }
}
