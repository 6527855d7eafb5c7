import FoundationEssentials
import Logging
import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeStore
import ScanBridgeUpstream
import ScanBridgeWire
import Synchronization

/// Fetches the fleet's profile bundle from upstream and puts a verified, newer one in force:
/// stored, then the catalog swapped for every reader between two payloads, `profiles.updated`
/// committed, and what was held under the old profiles replayed under the new ones.
///
/// A bundle signed by an unknown key, tampered with, malformed or older than the one in force
/// changes nothing: it raises one alert (kind `profile_bundle`) and the log says why.
final class ProfileBundleUpdater: Sendable {
    /// What `status` shows about bundles.
    struct State: Sendable, Equatable {
        var installed: String?
        var sha256: String?
        var lastCheck: Timestamp?
        var lastProblem: String?
    }

    let configuration: AgentConfiguration
    let agentID: String
    let url: String
    let trusted: TrustedKeys
    let upstream: HTTPUpstream
    let keys: SigningKeys
    let book: ProfileBook
    let database: StateDatabase
    let outbox: OutboxWriter
    let logger: Logger
    let reconnected: Doorbell
    private let installed: Mutex<InstalledBundle?>
    private let etag = Mutex<String?>(nil)
    let state: Mutex<State>

    init(
        configuration: AgentConfiguration, agentID: String, url: String, trusted: TrustedKeys, upstream: HTTPUpstream,
        keys: SigningKeys, book: ProfileBook, installed: InstalledBundle?, database: StateDatabase,
        outbox: OutboxWriter, reconnected: Doorbell, logger: Logger
    ) {
        self.configuration = configuration
        self.agentID = agentID
        self.url = url
        self.trusted = trusted
        self.upstream = upstream
        self.keys = keys
        self.book = book
        self.installed = Mutex(installed)
        self.database = database
        self.outbox = outbox
        self.reconnected = reconnected
        self.logger = logger
        state = Mutex(
            State(installed: installed.map { "\($0.bundle.name)@\($0.bundle.version)" }, sha256: installed?.sha256))
    }

    /// Checks at start, then every `bundle_poll_s` (±10 %, so a fleet does not knock at once)
    /// and as soon as the upstream answers again after an outage.
    func run() async {
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            await check()
            let period = configuration.profileBundles.pollSeconds * 1000
            let jitter = Int.random(in: -(period / 10)...(period / 10), using: &random)
            await reconnected.wait(milliseconds: period + jitter)
        }
    }

    /// One poll: 304 and 404 change nothing; a 200 is verified and applied.
    func check() async {
        let headers: [(name: String, value: String)]
        do {
            headers =
                try AgentRequestSignature.fields(
                    method: "GET", path: Self.path(of: url), agentID: agentID, key: keys.current)
                + (etag.withLock { $0 }.map { [("If-None-Match", $0)] } ?? [])
        } catch {
            note(problem: "cannot sign the bundle request: \(error)")
            return
        }
        switch await upstream.fetch(url: url, headers: headers) {
        case .failed(let reason):
            logger.debug("profile bundle not checked: \(reason)")
            state.withLock { $0.lastProblem = "not checked: \(reason)" }
        case .answered(304, _, _), .answered(404, _, _):
            state.withLock {
                $0.lastCheck = .now()
                $0.lastProblem = nil
            }
        case .answered(200, let tag, let body):
            state.withLock { $0.lastCheck = .now() }
            await consider(String(decoding: body, as: UTF8.self), etag: tag)
        case .answered(let status, _, let body):
            note(
                problem:
                    "the upstream answered \(status) to the bundle request (\(String(decoding: body.prefix(200), as: UTF8.self))) — is this agent's key enrolled there?"
            )
        }
    }

    /// Verifies and, when newer, applies `jws`; refusals raise the alert once.
    func consider(_ jws: String, etag tag: String?) async {
        let offered: InstalledBundle
        do {
            offered = try InstalledBundle.verify(jws, trusted: trusted)
            if let current = installed.withLock({ $0 }), try !current.admits(offered) {
                etag.withLock { $0 = tag }
                return
            }
        } catch {
            refuse(error)
            return
        }
        do {
            try await apply(offered)
            etag.withLock { $0 = tag }
        } catch {
            note(problem: "profile bundle \(offered.bundle.name)@\(offered.bundle.version) not applied: \(error)")
        }
    }

    private func apply(_ offered: InstalledBundle) async throws {
        let previous = book.catalog
        let catalog = try ProfileCatalog.load(directories: configuration.profileDirectories, bundle: offered.bundle)
        try offered.save(stateDirectory: configuration.stateDirectory)
        installed.withLock { $0 = offered }
        let changed = catalog.profiles.filter { profile in
            profile.source == offered.bundle.label
                && !previous.profiles.contains {
                    $0.id == profile.id && $0.version == profile.version && $0.document == profile.document
                }
        }.map(\.name).sorted()
        // First upstream, so the finance side reads why held payloads are released after it.
        try await outbox.append([Self.updatedEvent(offered, changed: changed, agentID: agentID)])
        book.replace(with: catalog)
        let replay = try await QuarantineReplay(configuration: configuration, catalog: catalog, database: database)
            .run()
        try AlertStore(database: database).close(kind: "profile_bundle", reason: "a valid bundle is in force")
        state.withLock {
            $0.installed = "\(offered.bundle.name)@\(offered.bundle.version)"
            $0.sha256 = offered.sha256
            $0.lastProblem = nil
        }
        logger.notice(
            "profile bundle \(offered.bundle.name)@\(offered.bundle.version) in force: \(changed.isEmpty ? "no profile changed" : "changed " + changed.joined(separator: ", ")); \(replay.released) held payload(s) released, \(replay.stillHeld) still held",
            metadata: ["sha256": "\(offered.sha256)", "kid": "\(offered.kid)"])
    }

    static func updatedEvent(_ offered: InstalledBundle, changed: [String], agentID: String) -> OutboxEntry {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("bundle", offered.bundle.name)
        writer.field("version", Int64(offered.bundle.version))
        writer.field("sha256", offered.sha256)
        writer.field("kid", offered.kid)
        writer.key("profiles_changed")
        writer.beginArray()
        for name in changed { writer.string(name) }
        writer.endArray()
        writer.endObject()
        return OutboxEntry(
            event: PendingEvent(
                type: .profilesUpdated, occurredAt: .now(), device: DeviceIdentity(id: agentID, transport: .agent),
                data: writer.bytes, raw: nil))
    }

    private func refuse(_ error: any Error) {
        let text = "\(error)"
        let raised =
            (try? AlertStore(database: database).raise(deviceID: agentID, kind: "profile_bundle", detail: text))
        if raised ?? true { logger.error("\(text)") } else { logger.debug("\(text)") }
        state.withLock { $0.lastProblem = text }
    }

    private func note(problem: String) {
        if state.withLock({ $0.lastProblem }) != problem { logger.warning("\(problem)") }
        state.withLock { $0.lastProblem = problem }
    }

    /// The path a signed request names (what the receiver routes).
    static func path(of url: String) -> String {
        let path = URLComponents(string: url)?.percentEncodedPath ?? ""
        return path.isEmpty ? "/" : path
    }
}
