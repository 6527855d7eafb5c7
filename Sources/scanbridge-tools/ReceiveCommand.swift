import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ScanBridgeCommandSupport
import ScanBridgeReceiver
import ScanBridgeWire

/// `scanbridge receive`: the reference upstream, and the enrolment of the agents it trusts.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: ToolCommand.receive.abstract,
        discussion: """
            `scanbridge receive --listen … --store …` serves (the default subcommand). --store is a SQLite file \
            or postgres://user[:password]@host[:port]/db[?sslmode=…]; several receivers may share one PostgreSQL \
            store. Keys come from the store (enrol, revoke) and from --trust files; the feed, agents and metrics \
            answer only consumers' bearer tokens (consumer add, list, revoke); /v1/profile-bundle serves the \
            bundle published with `bundle publish` to the store's agents.
            """,
        subcommands: [
            ReceiveServeCommand.self, ReceiveEnrolCommand.self, ReceiveRevokeCommand.self, ReceiveAgentsCommand.self,
            ReceiveConsumerCommand.self, ReceiveBundleCommand.self,
        ],
        defaultSubcommand: ReceiveServeCommand.self)
}

struct ReceiveServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Take batches at POST /v1/scan-batches; serve /v1/events, /v1/agents and /metrics to consumers.")

    @Option(name: .long, help: "host:port to listen on.")
    var listen = "127.0.0.1:8787"

    @Option(name: .long, help: "Receiver store: a SQLite file or a postgres:// URL.")
    var store: String

    @Option(name: .long, help: "Trusted public key for any agent: a JWK or a JWKS file (repeatable).")
    var trust: [String] = []

    @Option(name: .long, help: "Largest accepted request body in bytes.")
    var maxBodyBytes = 8 * 1024 * 1024

    @Option(
        name: .long,
        help: "PostgreSQL: longest a statement may run or wait for a lock before the request answers 503.")
    var statementTimeoutMs = Int(PostgresReceiverStore.defaultStatementTimeout.components.seconds * 1000)

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    func validate() throws {
        guard HostPort(listen) != nil else { throw ValidationError("--listen must be host:port, got \(listen)") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard (1...3_600_000).contains(statementTimeoutMs) else {
            throw ValidationError("--statement-timeout-ms must be 1…3600000 (milliseconds)")
        }
        do { _ = try ReceiverStoreLocation(store) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        Logs.bootstrap(level: logLevel)
        let logger = Logger(label: "scanbridge.receiver")
        let trusted: TrustedKeys
        do { trusted = try TrustedKeys.load(paths: trust) } catch { Failure(error.description).exit() }
        let location: ReceiverStoreLocation
        let receiverStore: any ReceiverStorage
        do {
            location = try ReceiverStoreLocation(store)
            receiverStore = try await location.open(logger: logger, statementTimeout: .milliseconds(statementTimeoutMs))
        } catch {
            Failure(error.description).exit()
        }
        if trusted.keys.isEmpty, (try? await receiverStore.enrolledKeys().isEmpty) ?? true {
            logger.warning(
                "no trusted keys yet: every batch is refused (401 unknown_key) until a key is enrolled with `scanbridge receive enrol --store … --jwk FILE --agent ID` or given with --trust"
            )
        }
        if (try? await receiverStore.activeConsumers().isEmpty) ?? true {
            logger.notice(
                "no feed consumers yet: /v1/events, /v1/agents and /metrics answer 401 until one is added with `scanbridge receive consumer add --store … --name NAME`"
            )
        }
        let address = HostPort(listen)!
        let server = ReceiverServer(
            intake: BatchIntake(store: receiverStore, trusted: trusted, logger: logger, metrics: ReceiverMetrics()),
            host: address.host, port: address.port, maximumBodyBytes: maxBodyBytes)
        let app = server.application { port in
            logger.notice(
                "receiving on http://\(address.host):\(port)/v1/scan-batches (store \(location)); feed at /v1/events")
        }
        do { try await app.runService() } catch {
            await receiverStore.close()
            Failure(error).exit()
        }
        await receiverStore.close()
        logger.notice("receiver stopped")
    }
}

struct HostPort {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        host = String(text[..<colon]).trimmingCharacters(in: ["[", "]"])
        self.port = port
        if host.isEmpty { return nil }
    }
}

/// Opens `--store` for a one-shot command, or exits with what to fix.
func openReceiverStore(_ text: String) async -> any ReceiverStorage {
    Logs.bootstrap(level: "warning")
    do {
        return try await ReceiverStoreLocation(text).open(logger: Logger(label: "scanbridge.receiver"))
    } catch {
        Failure(error.description).exit()
    }
}
