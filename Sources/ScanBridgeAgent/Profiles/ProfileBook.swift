import ScanBridgePayloads
import Synchronization

/// The profiles in force, shared by every reader: a bundle applied while the agent runs
/// replaces the catalog here, and each reader takes the new one up before its next input, so
/// no payload is judged half under one catalog and half under another.
public final class ProfileBook: Sendable {
    private let state: Mutex<(catalog: ProfileCatalog, generation: Int)>

    public init(_ catalog: ProfileCatalog) {
        state = Mutex((catalog, 0))
    }

    public var catalog: ProfileCatalog { state.withLock { $0.catalog } }

    /// Increases with every replacement; a reader compares it with the one it last saw.
    public var generation: Int { state.withLock { $0.generation } }

    public func snapshot() -> (catalog: ProfileCatalog, generation: Int) { state.withLock { $0 } }

    func replace(with catalog: ProfileCatalog) {
        state.withLock {
            $0.catalog = catalog
            $0.generation += 1
        }
    }
}
