import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

/// The PostgreSQL the tests may use: `Tests/Tools/with-postgres.sh` starts a throwaway
/// cluster and exports its URL. Without it the PostgreSQL tests are skipped, saying so.
enum PostgresTestSupport {
    static let url = ProcessInfo.processInfo.environment["SCANBRIDGE_TEST_POSTGRES_URL"]
    static var available: Bool { url != nil }
    static let skipped: Comment =
        "SCANBRIDGE_TEST_POSTGRES_URL is not set — run `Tests/Tools/with-postgres.sh swift test` to include PostgreSQL"

    /// A new, empty database on the test cluster, so tests running in parallel never share
    /// tables; returns its URL.
    static func freshDatabase(_ label: String = "t") async throws -> String {
        let base = try PostgresLocation(try #require(url))
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .critical
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: base.host, port: base.port, username: base.user, password: base.password,
                database: base.database, tls: .disable),
            id: 1, logger: logger)
        let name = "\(label)_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        try await connection.close()
        let password = base.password.flatMap { $0.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) }
        return
            "postgres://\(base.user)\(password.map { ":" + $0 } ?? "")@\(base.host):\(base.port)/\(name)?sslmode=disable"
    }
}

/// The stores a contract test runs on.
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A new, empty store of this kind.
    func freshStore() async throws -> String {
        switch self {
        case .sqlite: TestSupport.temporaryDirectory("receiver-store") + "/receiver.sqlite"
        case .postgres: try await PostgresTestSupport.freshDatabase()
        }
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test.receiver")
        logger.logLevel = .critical
        return logger
    }

    func open(_ location: String) async throws -> any ReceiverStorage {
        try await ReceiverStoreLocation(location).open(logger: Self.quietLogger)
    }
}

/// Posts and gets as an agent or a finance system would, keeping the status and body.
struct ReceiverHTTP: Sendable {
    struct Answer: Sendable {
        var status: Int
        var body: String
        var headers: HTTPHeaders = [:]

        func header(_ name: String) -> String? { headers.first(name: name) }

        var json: [String: Any]? {
            try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        }

        /// The body equals `expected` exactly: no field missing, none added.
        func isJSON(_ expected: [String: Any]) -> Bool {
            guard let json else { return false }
            func canonical(_ object: [String: Any]) -> Data? {
                try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            }
            return canonical(json) != nil && canonical(json) == canonical(expected)
        }
    }

    let client: HTTPClient
    /// A feed consumer's token, sent with every GET.
    let token: String?

    init(connectionsPerHost: Int = 8, token: String? = nil) {
        self.token = token
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    func post(
        _ url: String, body: [UInt8], signature: String?, idempotencyKey: String? = nil,
        contentEncoding: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url + "/v1/scan-batches")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let contentEncoding { request.headers.add(name: "Content-Encoding", value: contentEncoding) }
        if let signature { request.headers.add(name: "Scanbridge-Signature", value: signature) }
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request, timeout: timeout)
    }

    /// With this client's consumer token, or `authorization` as the whole header when given;
    /// `headers` are added as they are (an agent's signed request, `If-None-Match`).
    func get(
        _ url: String, authorization: String? = nil, headers: [(name: String, value: String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        if let header = authorization ?? token.map({ "Bearer " + $0 }) {
            request.headers.add(name: "Authorization", value: header)
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest, timeout: Duration = .seconds(60)) async throws -> Answer {
        let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        var buffer = try await response.body.collect(upTo: 64 << 20)
        return Answer(
            status: Int(response.status.code), body: buffer.readString(length: buffer.readableBytes) ?? "",
            headers: response.headers)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Feed consumers for tests: a token the receivers of a store accept on the read endpoints.
enum ConsumerTestSupport {
    /// Adds a consumer through the store's API and returns its token.
    static func token(for store: any ReceiverStorage, name: String = "test-consumer") async throws -> String {
        let token = ConsumerToken.generate()
        _ = try await store.addConsumer(name: name, tokenSHA256: ConsumerToken.sha256Hex(token))
        return token
    }

    /// Runs `scanbridge ARGS` and keeps stdout apart from stderr (the token is stdout's only line).
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        async let stdout = TestSupport.onThreadValue { out.fileHandleForReading.readDataToEndOfFile() }
        async let stderr = TestSupport.onThreadValue { err.fileHandleForReading.readDataToEndOfFile() }
        let (output, errors) = await (stdout, stderr)
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self)
        )
    }
}
