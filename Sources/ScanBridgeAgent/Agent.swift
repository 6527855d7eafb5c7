import Foundation
import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeStore
import ScanBridgeUpstream
import ServiceLifecycle

/// The running agent: serial readers into the outbox, the forwarder out of it.
public final class Agent: Service, Sendable {
    public let configuration: AgentConfiguration
    public let database: StateDatabase
    public let agentID: String
    public let key: SigningKey
    public let counters = AgentCounters()
    let logger: Logger
    let doorbell = Doorbell()
    let outbox: OutboxWriter
    let storage: StorageState
    public let catalog: ProfileCatalog

    /// Opens the state (creating the directory, database, agent id and signing key on
    /// first use).
    public init(configuration: AgentConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.stateDirectory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o750])
        } catch {
            throw StoreError.cannotOpen(path: configuration.stateDirectory, reason: error.localizedDescription)
        }
        catalog = try ProfileCatalog.load(directories: configuration.profileDirectories)
        for (index, device) in configuration.devices.enumerated() {
            if let profile = device.profile, !catalog.contains(id: profile) {
                throw ConfigurationError(
                    key: "devices[\(index)].profile",
                    message:
                        "no profile \"\(profile)\"; known: \(Set(catalog.profiles.map(\.id)).sorted().joined(separator: ", "))",
                    source: "configuration")
            }
        }
        // The HTTP client itself is made in `run()`, which also shuts it down; here only its
        // files are checked, so a bad path fails the start, not the first delivery.
        try configuration.upstream?.security.validate()
        database = try StateDatabase(
            path: configuration.databasePath, maximumBytes: configuration.stateMaxMegabytes.map { $0 << 20 },
            headroomBytes: 2 * (configuration.upstream?.batchLimits.maxBytes ?? BatchLimits.default.maxBytes) + 65_536)
        agentID = try database.agentID(preferred: configuration.agentID)
        let (key, created) = try SigningKey.loadOrCreate(path: configuration.signingKeyPath)
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

    /// Runs until graceful shutdown (SIGTERM/SIGINT under a ServiceGroup) or cancellation.
    public func run() async throws {
        let registry = DeviceRegistry(database: database)
        let runners = configuration.devices.map {
            SerialDeviceRunner(
                configuration: $0, outbox: outbox, registry: registry, catalog: catalog, storage: storage,
                counters: counters, logger: logger)
        }
        let batches = OutboxBatches(database: database)
        let unparked = try batches.unpark()
        if unparked > 0 { logger.warning("retrying \(unparked) parked batch(es) after restart") }
        let upstream = try configuration.upstream.map {
            try HTTPUpstream(url: $0.url, timeoutMilliseconds: $0.timeoutMilliseconds, security: $0.security)
        }
        if upstream == nil {
            logger.notice("no upstream.url configured: events are kept in the outbox until one is set")
        }
        logger.info(
            "agent started",
            metadata: [
                "agent_id": "\(agentID)", "devices": "\(runners.count)", "state": "\(configuration.databasePath)",
            ])
        let forwarding = upstream.map { upstream in
            let settings = configuration.upstream!
            let forwarder = Forwarder(
                agentID: agentID, key: key, batches: batches, upstream: upstream, limits: settings.batchLimits,
                retryCapMilliseconds: settings.retryCapMilliseconds, doorbell: doorbell, counters: counters,
                storage: storage, retentionHours: configuration.retentionHours, logger: logger)
            return Task { await forwarder.run() }
        }
        await withTaskGroup(of: Void.self) { group in
            for runner in runners { group.addTask { await runner.run() } }
            group.addTask {
                // Returns on SIGTERM/SIGINT (under a ServiceGroup) or when this task is cancelled.
                try? await gracefulShutdown()
                for runner in runners { runner.source.stop() }
            }
            await group.waitForAll()
        }
        // Readers have committed their last chunks; only now does the forwarder stop, and an
        // in-flight batch without a 2xx simply stays pending.
        forwarding?.cancel()
        doorbell.ring()
        await forwarding?.value
        await upstream?.shutdown()
        logger.info("agent stopped")
    }
}
