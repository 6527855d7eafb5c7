import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ScanBridgeUpstream

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Reference upstream: verify signed batches and their chain, store them in SQLite.")

    @Option(name: .long, help: "host:port to listen on.")
    var listen = "127.0.0.1:8787"

    @Option(name: .long, help: "Receiver SQLite database file.")
    var store: String

    @Option(name: .long, help: "Trusted public key: a JWK or a JWKS file (repeatable).")
    var trust: [String]

    @Option(name: .long, help: "Largest accepted request body in bytes.")
    var maxBodyBytes = 8 * 1024 * 1024

    func validate() throws {
        guard !trust.isEmpty else { throw ValidationError("at least one --trust FILE is required") }
        guard HostPort(listen) != nil else { throw ValidationError("--listen must be host:port, got \(listen)") }
    }

    func run() async throws {
        Logs.bootstrap(level: "info")
        let logger = Logger(label: "scanbridge.receiver")
        let trusted: TrustedKeys
        do { trusted = try TrustedKeys.load(paths: trust) } catch { Failure(error.description).exit() }
        let receiverStore: ReceiverStore
        do { receiverStore = try ReceiverStore(path: store) } catch { Failure("\(store): \(error)").exit() }
        let address = HostPort(listen)!
        let server = ReceiverServer(
            intake: BatchIntake(store: receiverStore, trusted: trusted, logger: logger), host: address.host,
            port: address.port, maximumBodyBytes: maxBodyBytes)
        let app = server.application { port in
            logger.notice("receiving on http://\(address.host):\(port)/v1/scan-batches")
        }
        do { try await app.runService() } catch { Failure(error).exit() }
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
