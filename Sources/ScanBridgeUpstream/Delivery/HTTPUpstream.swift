import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ScanBridgeCore
import ScanBridgeWire
import Synchronization

/// Posts signed batches to the upstream URL.
///
/// TLS verification is AsyncHTTPClient's default and is never turned off.
public final class HTTPUpstream: Sendable {
    /// How the agent authenticates the upstream and itself. Certificate verification is
    /// always on; these only say which CA to trust and which credentials to present.
    public struct Security: Sendable, Equatable {
        /// PEM file of the CA certificates that sign the upstream's certificate (instead of
        /// the system's trust store).
        public var caFile: String?
        /// PEM client certificate chain and key, for upstreams that require mutual TLS.
        public var clientCertificateFile: String?
        public var clientKeyFile: String?
        /// A file holding a bearer token sent as `Authorization: Bearer …`.
        public var bearerTokenFile: String?

        public init(
            caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
            bearerTokenFile: String? = nil
        ) {
            self.caFile = caFile
            self.clientCertificateFile = clientCertificateFile
            self.clientKeyFile = clientKeyFile
            self.bearerTokenFile = bearerTokenFile
        }

        /// Loads every file named, so a bad path or PEM is reported at start-up.
        public func validate() throws(SetupError) {
            _ = try tlsConfiguration()
            _ = try authorization()
        }

        func tlsConfiguration() throws(SetupError) -> TLSConfiguration {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                if let caFile {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
                }
                if let clientCertificateFile, let clientKeyFile {
                    tls.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificateFile).map {
                        .certificate($0)
                    }
                    tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKeyFile, format: .pem))
                }
            } catch {
                throw SetupError(
                    description: "upstream TLS files: \(error) — check upstream.ca_file, client_cert and client_key")
            }
            return tls
        }

        func authorization() throws(SetupError) -> String? {
            guard let bearerTokenFile else { return nil }
            guard
                let token = try? String(contentsOfFile: bearerTokenFile, encoding: .utf8)
                    .trimmingWhitespace(), !token.isEmpty
            else {
                throw SetupError(
                    description: "\(bearerTokenFile): cannot read a bearer token (upstream.bearer_token_file)")
            }
            return "Bearer " + token
        }
    }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// What went upstream so far, for `status` and the bench.
    public struct Traffic: Sendable, Equatable {
        /// `upstream.compression`.
        public var configured: ContentCoding?
        /// Whether the upstream answered 415 to a compressed body: the agent then sends
        /// uncompressed for the rest of its run.
        public var refused = false
        /// The batch bodies as signed.
        public var bodyBytes = 0
        /// The same bodies as they went over the connection (compressed or not).
        public var sentBytes = 0

        public var inUse: ContentCoding? { refused ? nil : configured }

        public init(configured: ContentCoding?) {
            self.configured = configured
        }
    }

    public let url: String
    public let timeoutMilliseconds: Int
    public let connectTimeoutMilliseconds: Int
    public let acknowledgement: Acknowledgement
    let client: HTTPClient
    let authorization: String?
    private let trafficState: Mutex<Traffic>

    /// - Parameters:
    ///   - compression: the batch body's `Content-Encoding`; `nil` sends it as signed.
    ///   - connectTimeoutMilliseconds: how long one connection attempt may take. A refused
    ///     connection fails the attempt at once, so the forwarder counts it and backs off by
    ///     its own policy instead of the HTTP client retrying inside one attempt.
    public init(
        url: String, timeoutMilliseconds: Int = 30_000, connectTimeoutMilliseconds: Int = 2_000,
        security: Security = .init(), acknowledgement: Acknowledgement = .batchSeq, allowPlainHTTP: Bool = false,
        compression: ContentCoding? = nil
    ) throws(SetupError) {
        self.url = url
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.acknowledgement = acknowledgement
        trafficState = Mutex(Traffic(configured: compression))
        try UpstreamURLPolicy.check(
            url: url, allowPlainHTTP: allowPlainHTTP, sendsBearerToken: security.bearerTokenFile != nil)
        let tls = try security.tlsConfiguration()
        authorization = try security.authorization()
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(
            connect: .milliseconds(Int64(min(connectTimeoutMilliseconds, timeoutMilliseconds))),
            read: .milliseconds(Int64(timeoutMilliseconds)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public var traffic: Traffic { trafficState.withLock { $0 } }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Posts batch `batchSeq`; a 2xx counts only if it acknowledges that batch (``Acknowledgement``).
    ///
    /// The body is compressed here, at each attempt, from the signed bytes: what is stored and
    /// signed never depends on the transport. A 415 to a compressed body sends the same batch
    /// again uncompressed at once, and every later one too.
    public func deliver(body: [UInt8], signature: String, idempotencyKey: String, batchSeq: Int64) async
        -> DeliveryOutcome
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.headers.add(name: "Scanbridge-Signature", value: signature)
        request.headers.add(name: "User-Agent", value: "scanbridge")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let coding = traffic.inUse
        var sent = body
        if let coding, let compressed = try? coding.compress(body) {
            request.headers.add(name: "Content-Encoding", value: coding.rawValue)
            sent = compressed
        }
        request.body = .bytes(ByteBuffer(bytes: sent))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutMilliseconds)))
            trafficState.withLock {
                $0.bodyBytes += body.count
                $0.sentBytes += sent.count
            }
            var buffer = try await response.body.collect(upTo: 64 * 1024)
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            if response.status.code == 415, request.headers.contains(name: "Content-Encoding") {
                trafficState.withLock { $0.refused = true }
                return await deliver(
                    body: body, signature: signature, idempotencyKey: idempotencyKey, batchSeq: batchSeq)
            }
            return DeliveryOutcome.classify(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                body: text, now: .now(), batchSeq: batchSeq, acknowledgement: acknowledgement)
        } catch is CancellationError {
            return .retry(reason: "cancelled", retryAfterMilliseconds: nil)
        } catch {
            if Self.isConnectFailure(error) { return .unreachable(reason: Self.describe(error)) }
            return .retry(reason: Self.describe(error), retryAfterMilliseconds: nil)
        }
    }

    /// Whether `error` means no connection was made at all (the request never left).
    static func isConnectFailure(_ error: any Error) -> Bool {
        switch error {
        case let error as HTTPClientError: return error == .connectTimeout
        case ChannelError.connectTimeout: return true
        case is NIOConnectionError: return true
        case let error as IOError: return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode)
        default: return false
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOSSLError {
            return
                "TLS handshake with the upstream failed (\(error)) — is upstream.ca_file the CA that signed its certificate, and does the certificate name this host?"
        }
        if let error = error as? BoringSSLError {
            return
                "TLS handshake with the upstream failed (\(error)) — is upstream.ca_file the CA that signed its certificate, and does the certificate name this host?"
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return "no connection to the upstream within upstream.connect_timeout_ms"
            case .deadlineExceeded, .readTimeout:
                return "upstream timed out"
            case .remoteConnectionClosed:
                return "upstream closed the connection"
            default:
                return "upstream: \(error)"
            }
        }
        return "upstream unreachable: \(error)"
    }
}
