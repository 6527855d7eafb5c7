import FoundationEssentials
import Logging
import NIOCore
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeStore
import ScanBridgeUpstream
import ScanBridgeWire
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The running agent: serial readers into the outbox, the forwarder out of it.
public final class Agent: Service, Sendable {
    public let configuration: AgentConfiguration
    public let database: StateDatabase
    public let agentID: String
    public let key: SigningKey
    public let counters = AgentCounters()
    public let metrics = AgentMetrics()
    public let devices: DeviceStates
    let logger: Logger
    private let readersStarted = Mutex(false)
    private let boundStatusPort = Mutex<Int?>(nil)
    private let discovery = Mutex<DeviceSupervisor?>(nil)
    let doorbell = Doorbell()
    let outbox: OutboxWriter
    let storage: StorageState
    public let catalog: ProfileCatalog
    /// The profiles in force, which a profile bundle replaces while the agent runs.
    public let book: ProfileBook
    /// The profile authorities (`profiles.trust`); empty: bundles are ignored.
    let authorities: TrustedKeys
    /// The bundle stored in the state directory, verified at start.
    let installedBundle: InstalledBundle?
    /// Set while bundles are polled (`status`).
    let bundleUpdater = Mutex<ProfileBundleUpdater?>(nil)

    /// Opens the state (creating the directory, database, agent id and signing key on
    /// first use).
    public init(configuration: AgentConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        devices = DeviceStates(metrics: metrics)
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.stateDirectory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o750])
        } catch {
            let reason = ((error as? CocoaError)?.underlying as? POSIXError).map { SystemError.text($0.code.rawValue) }
            throw StoreError.cannotOpen(path: configuration.stateDirectory, reason: reason ?? String(describing: error))
        }
        if let listen = configuration.statusListen, !Loopback.contains(host: listen.host),
            !configuration.statusAllowRemote
        {
            throw ConfigurationError(
                key: "status.listen",
                message:
                    "\(listen) is reachable from other machines and the status page has no authentication — listen on 127.0.0.1, or set status.allow_remote: true on a trusted network",
                source: "configuration")
        }
        authorities =
            configuration.profileBundles.trust.isEmpty
            ? TrustedKeys() : try TrustedKeys.load(paths: configuration.profileBundles.trust)
        var installed: InstalledBundle?
        if !configuration.profileBundles.trust.isEmpty {
            do {
                installed = try InstalledBundle.load(stateDirectory: configuration.stateDirectory, trusted: authorities)
            } catch {
                logger.error("the stored profile bundle is set aside: \(error)")
            }
        }
        installedBundle = installed
        catalog = try ProfileCatalog.load(directories: configuration.profileDirectories, bundle: installed?.bundle)
        book = ProfileBook(catalog)
        // With profile authorities trusted, a device may name a profile its fleet's bundle has
        // not brought yet: its payloads are held until it arrives, then replayed.
        let bundlesMayBringProfiles = !configuration.profileBundles.trust.isEmpty
        for (index, device) in configuration.devices.enumerated() {
            if let profile = device.profile, !catalog.contains(id: profile), bundlesMayBringProfiles {
                logger.warning(
                    "devices[\(index)].profile: no profile \"\(profile)\" yet — payloads are held until a profile bundle brings it"
                )
            } else if let profile = device.profile, !catalog.contains(id: profile) {
                throw ConfigurationError(
                    key: "devices[\(index)].profile",
                    message:
                        "no profile \"\(profile)\"; known: \(Set(catalog.profiles.map(\.id)).sorted().joined(separator: ", "))",
                    source: "configuration")
            }
            let versions = catalog.profiles.filter { $0.id == device.profileID }
            if let framing = device.framing, let other = versions.first(where: { $0.framing != framing.rawValue }) {
                throw ConfigurationError(
                    key: "devices[\(index)].framing",
                    message:
                        "framing \(framing.rawValue) disagrees with profile \(other.name), which reads \(other.framing) — drop one of the two",
                    source: "configuration")
            }
            for profile in versions {
                let framing = device.framing ?? AgentConfiguration.Framing(rawValue: profile.framing) ?? .lines
                do {
                    try ReaderCodec.make(framing: framing, profile: profile, maxLineBytes: device.maxLineBytes)?
                        .validate()
                } catch {
                    throw ConfigurationError(
                        key: "devices[\(index)].profile",
                        message: "profile \(profile.name) (\(profile.source)): \(error)", source: "configuration")
                }
            }
        }
        for (index, rule) in configuration.rules.enumerated() {
            if let profile = rule.settings.profile, !catalog.contains(id: profile), !bundlesMayBringProfiles {
                throw ConfigurationError(
                    key: "devices (match rule \(index + 1)).profile",
                    message:
                        "no profile \"\(profile)\"; known: \(Set(catalog.profiles.map(\.id)).sorted().joined(separator: ", "))",
                    source: "configuration")
            }
        }
        // The HTTP client itself is made in `run()`, which also shuts it down; here only its
        // files are checked, so a bad path fails the start, not the first delivery.
        if let upstream = configuration.upstream {
            try upstream.security.validate()
            try UpstreamURLPolicy.check(
                url: upstream.url, allowPlainHTTP: upstream.allowPlainHTTP,
                sendsBearerToken: upstream.security.bearerTokenFile != nil)
            // The bundle is fetched with the same credentials, so the same rule holds for it.
            if let bundleURL = configuration.profileBundleURL, !configuration.profileBundles.trust.isEmpty {
                try UpstreamURLPolicy.check(
                    url: bundleURL, allowPlainHTTP: upstream.allowPlainHTTP,
                    sendsBearerToken: upstream.security.bearerTokenFile != nil)
            }
        }
        database = try StateDatabase(
            path: configuration.databasePath, maximumBytes: configuration.stateMaxMegabytes.map { $0 << 20 },
            headroomBytes: 2 * (configuration.upstream?.batchLimits.maxBytes ?? BatchLimits.default.maxBytes) + 65_536)
        agentID = try database.agentID(preferred: configuration.agentID)
        let (key, created) = try SigningKeys.loadCurrent(
            path: configuration.signingKeyPath, batches: OutboxBatches(database: database))
        if created {
            logger.notice(
                "created signing key; enrol its public key upstream",
                metadata: ["path": "\(configuration.signingKeyPath)", "kid": "\(key.kid)"])
        }
        self.key = key
        let doorbell = self.doorbell
        storage = StorageState(doorbell: doorbell)
        let counters = self.counters
        outbox = OutboxWriter(database: database) { _, count in
            counters.update { $0.stored += count }
            doorbell.ring()
        }
    }

    /// The status endpoint's port once it listens (with `listen: 127.0.0.1:0`, the one chosen).
    public var statusPort: Int? { boundStatusPort.withLock { $0 } }

    /// Why `/readyz` answers 503, or nil when ready: the store is open by construction, so
    /// readers not started yet, or storage full.
    public var notReadyReason: String? {
        if !readersStarted.withLock({ $0 }) { return "readers not started" }
        if storage.isFull { return "storage full: scans are not being stored" }
        return nil
    }

    /// USB devices discovery has found while running (empty when discovery is off).
    public var discoveredDevices: [DiscoveredDevice] { discovery.withLock { $0 }?.devices ?? [] }

    /// Runs until graceful shutdown (SIGTERM/SIGINT under a ServiceGroup) or cancellation.
    public func run() async throws {
        let registry = DeviceRegistry(database: database)
        let sink = EventSink(outbox: outbox, storage: storage, counters: counters, logger: logger, metrics: metrics)
        let runners = configuration.devices.map {
            DeviceRunner.serial(
                $0, catalog: catalog, sink: sink, registry: registry, states: devices, logger: logger,
                feedbackEnabled: configuration.feedbackEnabled, book: book)
        }
        // Listed on the status page from the start, before their readers run.
        for runner in runners {
            devices.register(id: runner.deviceID, path: runner.target.path, kind: runner.plan.kind)
        }
        let supervisor =
            configuration.discovery
            ? DeviceSupervisor(
                configuration: configuration,
                sink: sink,
                registry: registry, catalog: catalog, states: devices, logger: logger, book: book) : nil
        discovery.withLock { $0 = supervisor }
        let statusTask = startStatusServer()
        let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
        let batches = OutboxBatches(database: database)
        if try database.isOverQuota() {
            let pruned = try batches.prune(acknowledgedBefore: .now())
            logger.warning(
                "the state database is larger than state_max_mb (an upgrade or a lowered quota): pruned acknowledged data; new events are stored as space frees up",
                metadata: ["events_pruned": "\(pruned.events)", "state": "\(configuration.databasePath)"])
        }
        let unparked = try batches.unpark()
        if unparked > 0 { logger.warning("retrying \(unparked) parked batch(es) after restart") }
        let keys = SigningKeys(current: key, path: configuration.signingKeyPath)
        do {
            if try await keys.resumeRotation(agentID: agentID, outbox: outbox, batches: batches) {
                logger.notice(
                    "rotating the signing key: the hand-over is committed; batches switch to the new key after it",
                    metadata: ["old_kid": "\(key.kid)", "new_kid": "\(keys.key(forLastSeq: .max).kid)"])
            }
        } catch {
            logger.error("key rotation cannot start, still signing with \(key.kid): \(error)")
        }
        let upstream = try configuration.upstream.map {
            try HTTPUpstream(
                url: $0.url, timeoutMilliseconds: $0.timeoutMilliseconds,
                connectTimeoutMilliseconds: $0.connectTimeoutMilliseconds, security: $0.security,
                acknowledgement: $0.acknowledgement, allowPlainHTTP: $0.allowPlainHTTP, compression: $0.compression)
        }
        if upstream == nil {
            logger.notice("no upstream.url configured: events are kept in the outbox until one is set")
        }
        logger.info(
            "agent started",
            metadata: [
                "agent_id": "\(agentID)", "devices": "\(runners.count)", "state": "\(configuration.databasePath)",
            ])
        let reconnected = Doorbell()
        let forwarding = upstream.map { upstream in
            let settings = configuration.upstream!
            let forwarder = Forwarder(
                agentID: agentID, keys: keys, batches: batches, upstream: upstream, limits: settings.batchLimits,
                retryCapMilliseconds: settings.retryCapMilliseconds, doorbell: doorbell, counters: counters,
                storage: storage, retentionHours: configuration.retentionHours, logger: logger, metrics: metrics,
                reconnected: reconnected)
            return Task { await forwarder.run() }
        }
        let bundles = startBundleUpdates(upstream: upstream, keys: keys, reconnected: reconnected)
        // Commits by other processes (`quarantine replay`, `discard`) wake the forwarder too.
        let bell = doorbell
        let commits: CommitWatcher?
        do {
            commits = try CommitWatcher(databasePath: configuration.databasePath) { bell.ring() }
        } catch {
            commits = nil
            logger.warning(
                "cannot watch the state database for other processes' commits (\(error)): events a replay releases wait for the next scan"
            )
        }
        defer { commits?.stop() }
        let housekeeping = notifier.map { notifier in Task { await self.reportToSystemd(notifier) } }
        await withTaskGroup(of: Void.self) { group in
            for runner in runners { group.addTask { await runner.run() } }
            if let supervisor { group.addTask { await supervisor.run() } }
            readersStarted.withLock { $0 = true }
            notifier?.notify("READY=1\nSTATUS=\(systemdStatus())")
            group.addTask {
                // Returns on SIGTERM/SIGINT (under a ServiceGroup) or when this task is cancelled.
                try? await gracefulShutdown()
                notifier?.notify("STOPPING=1\nSTATUS=stopping: storing what the readers hold")
                self.storage.beginStopping()
                for runner in runners { runner.stop() }
                supervisor?.stop()
            }
            await group.waitForAll()
        }
        housekeeping?.cancel()
        statusTask?.cancel()
        await statusTask?.value
        // Readers have committed their last chunks; only now does the forwarder stop, and an
        // in-flight batch without a 2xx simply stays pending.
        bundles?.cancel()
        reconnected.ring()
        await bundles?.value
        forwarding?.cancel()
        doorbell.ring()
        await forwarding?.value
        await upstream?.shutdown()
        logger.info("agent stopped")
    }

    /// What `/status.json` says about profile bundles.
    var profilesStatus: OutboxStatus.Live.Profiles {
        let installed = installedBundle.map { "\($0.bundle.name)@\($0.bundle.version)" }
        guard !configuration.profileBundles.trust.isEmpty else {
            return .init(
                bundles: "ignored: no profiles.trust configured", bundle: nil, sha256: nil, lastCheck: nil, problem: nil
            )
        }
        guard let state = bundleUpdater.withLock({ $0 })?.state.withLock({ $0 }) else {
            return .init(
                bundles: configuration.upstream == nil ? "not polled: no upstream" : "polled", bundle: installed,
                sha256: installedBundle?.sha256, lastCheck: nil, problem: nil)
        }
        return .init(
            bundles: "polled", bundle: state.installed, sha256: state.sha256, lastCheck: state.lastCheck,
            problem: state.lastProblem)
    }

    /// Polls the fleet's profile bundle when an upstream and at least one authority are set.
    private func startBundleUpdates(upstream: HTTPUpstream?, keys: SigningKeys, reconnected: Doorbell) -> Task<
        Void, Never
    >? {
        guard let upstream, let url = configuration.profileBundleURL else { return nil }
        guard !configuration.profileBundles.trust.isEmpty else {
            logger.notice("profile bundles are ignored: no profiles.trust is configured")
            return nil
        }
        let updater = ProfileBundleUpdater(
            configuration: configuration, agentID: agentID, url: url, trusted: authorities, upstream: upstream,
            keys: keys, book: book, installed: installedBundle, database: database, outbox: outbox,
            reconnected: reconnected, logger: logger)
        bundleUpdater.withLock { $0 = updater }
        return Task { await updater.run() }
    }

    /// Starts the status endpoint; a port already taken is logged, never fatal (scanning
    /// matters more than the page). The returned task closes it when cancelled.
    private func startStatusServer() -> Task<Void, Never>? {
        guard let listen = configuration.statusListen else { return nil }
        if !Loopback.contains(host: listen.host) {
            logger.warning(
                "status.allow_remote: the status page, /status.json and /metrics on \(listen) are open to the network without authentication"
            )
        }
        let server = StatusServer(agent: self, host: listen.host, port: listen.port)
        let logger = self.logger
        return Task {
            let channel: any Channel
            do {
                channel = try await server.start()
            } catch {
                logger.error(
                    "status endpoint cannot listen on \(listen): \(error) — set status.listen to a free address, or off"
                )
                return
            }
            let port = channel.localAddress?.port ?? listen.port
            self.boundStatusPort.withLock { $0 = port }
            logger.info(
                "status page on http://\(listen.host.contains(":") ? "[\(listen.host)]" : listen.host):\(port)/")
            await withTaskCancellationHandler {
                try? await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        }
    }

    /// READY is sent once; then STATUS every 10 s and WATCHDOG at half the watchdog interval.
    private func reportToSystemd(_ notifier: SystemdNotifier) async {
        var lastStatus = ContinuousClock.now
        let tick = notifier.watchdogInterval.map { min($0, .seconds(10)) } ?? .seconds(10)
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            if Task.isCancelled { return }
            var message = notifier.watchdogInterval == nil ? "" : "WATCHDOG=1"
            if ContinuousClock.now - lastStatus >= .seconds(10) {
                message += (message.isEmpty ? "" : "\n") + "STATUS=" + systemdStatus()
                lastStatus = .now
            }
            if !message.isEmpty { notifier.notify(message) }
        }
    }

    /// One line for `systemctl status`.
    func systemdStatus() -> String {
        let counts = counters.snapshot
        let connected = devices.connectedCount
        var parts = ["\(connected) of \(devices.all.count) devices connected"]
        parts.append("\(counts.scanned) scans, \(counts.observed) tag observations stored")
        parts.append("backlog \(counts.stored - counts.acknowledged)")
        if storage.isFull { parts.append("STORAGE FULL") }
        if let error = counts.lastError { parts.append("last error: \(error)") }
        return parts.joined(separator: "; ")
    }

    func statusSnapshot() -> StatusPage.Snapshot {
        var status: OutboxStatus?
        var statusError: String?
        do { status = try OutboxStatus.read(database) } catch { statusError = "\(error)" }
        return StatusPage.Snapshot(
            agentID: agentID, now: .now(), status: status, statusError: statusError, devices: devices.all,
            counters: counters.snapshot, storageFull: storage.isFull, upstreamConfigured: configuration.upstream != nil,
            holds: devices.unacknowledgedHolds)
    }

    func refreshMetrics() {
        metrics.refresh(status: try? OutboxStatus.read(database), devicesConnected: devices.connectedCount, now: .now())
    }
}
