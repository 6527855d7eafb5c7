import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// What `--store` names: a SQLite file, or a PostgreSQL database as
/// `postgres://user[:password]@host[:port]/db[?sslmode=…]`.
public enum ReceiverStoreLocation: Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public init(_ text: String) throws(ReceiverStoreError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(text))
        } else if text.contains("://") {
            throw .badLocation(text, reason: "only postgres:// URLs and file paths are stores")
        } else if text.isEmpty {
            throw .badLocation(text, reason: "empty store")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Opens the store and brings its schema up to date. `statementTimeout` bounds each
    /// PostgreSQL statement and lock wait on the server (SQLite waits at most 10 s for its
    /// write lock regardless).
    public func open(
        logger: Logger, statementTimeout: Duration = PostgresReceiverStore.defaultStatementTimeout
    ) async throws(ReceiverStoreError) -> any ReceiverStorage {
        switch self {
        case .sqlite(let path): try SQLiteReceiverStore(path: path)
        case .postgres(let location):
            try await PostgresReceiverStore(location: location, logger: logger, statementTimeout: statementTimeout)
        }
    }

    /// The location without a password, for messages and logs.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }
}

/// A parsed PostgreSQL URL. `sslmode` follows libpq: `disable`; `allow` and `prefer` (the
/// default) try TLS without checking the certificate; `require` insists on TLS without
/// checking it; `verify-ca` checks the chain (`sslrootcert=FILE` or the system roots);
/// `verify-full` also checks the host name.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: String
    public var rootCertificate: String?

    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    public init(_ text: String) throws(ReceiverStoreError) {
        let redacted = Self.redact(text)
        guard let components = URLComponents(string: text) else {
            throw .badLocation(redacted, reason: "not a URL (percent-encode special characters in the password)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .badLocation(redacted, reason: "the URL names no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .badLocation(redacted, reason: "the URL names no user")
        }
        self.host = host.trimmingCharacters(in: ["[", "]"])
        port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = String(components.path.drop { $0 == "/" })
        database = path.isEmpty ? self.user : (path.removingPercentEncoding ?? path)
        sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, Self.sslModes.contains(value) else {
                    throw .badLocation(
                        redacted, reason: "sslmode must be one of \(Self.sslModes.joined(separator: ", "))")
                }
                sslMode = value
            case "sslrootcert":
                rootCertificate = item.value
            case "application_name":
                continue
            default:
                throw .badLocation(
                    redacted, reason: "unknown parameter \(item.name) (known: sslmode, sslrootcert, application_name)")
            }
        }
    }

    public var description: String {
        "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// TLS as `sslmode` asks for it.
    enum TLSChoice {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    func tlsChoice() throws(ReceiverStoreError) -> TLSChoice {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate))
            } catch {
                throw .badLocation(description, reason: "sslrootcert \(rootCertificate): \(error)")
            }
        }
        switch sslMode {
        case "disable":
            return .disable
        case "allow", "prefer":
            tls.certificateVerification = .none
            return .prefer(tls)
        case "require":
            tls.certificateVerification = .none
            return .require(tls)
        case "verify-ca":
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        default:
            return .require(tls)
        }
    }

    /// The pool's sessions start with `statement_timeout` and `lock_timeout` set, so the
    /// server itself ends a statement that runs or waits too long: postgres-nio ignores task
    /// cancellation, so no client-side timeout can free a connection stuck behind a lock.
    func clientConfiguration(statementTimeout: Duration) throws(ReceiverStoreError) -> PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS
        switch try tlsChoice() {
        case .disable: mode = .disable
        case .prefer(let tls): mode = .prefer(tls)
        case .require(let tls): mode = .require(tls)
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.maximumConnections = 16
        let milliseconds = String(max(1, statementTimeout.milliseconds))
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", milliseconds), ("lock_timeout", milliseconds),
        ]
        return configuration
    }

    /// For one connection made before the pool starts, so that a wrong host, password or
    /// database is reported at once and by name rather than after the pool's retries.
    func connectionConfiguration() throws(ReceiverStoreError) -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS
        do {
            switch try tlsChoice() {
            case .disable: mode = .disable
            case .prefer(let tls): mode = .prefer(try NIOSSLContext(configuration: tls))
            case .require(let tls): mode = .require(try NIOSSLContext(configuration: tls))
            }
        } catch let error as ReceiverStoreError {
            throw error
        } catch {
            throw .badLocation(description, reason: "TLS: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// Removes a password from a URL before it is shown anywhere.
    static func redact(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at else {
            return text
        }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
