import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ScanBridgeCore

/// Posts signed batches to the upstream URL.
///
/// TLS verification is AsyncHTTPClient's default and is never turned off.
public final class HTTPUpstream: Sendable {
    public let url: String
    public let timeoutMilliseconds: Int
    private let client: HTTPClient

    public init(url: String, timeoutMilliseconds: Int = 30_000) {
        self.url = url
        self.timeoutMilliseconds = timeoutMilliseconds
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .milliseconds(Int64(min(timeoutMilliseconds, 10_000))),
            read: .milliseconds(Int64(timeoutMilliseconds)))
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    public func deliver(body: [UInt8], signature: String, idempotencyKey: String) async -> DeliveryOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.headers.add(name: "Scanbridge-Signature", value: signature)
        request.headers.add(name: "User-Agent", value: "scanbridge")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutMilliseconds)))
            var buffer = try await response.body.collect(upTo: 64 * 1024)
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            return DeliveryOutcome.classify(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                body: text, now: .now())
        } catch is CancellationError {
            return .retry(reason: "cancelled", retryAfterMilliseconds: nil)
        } catch {
            return .retry(reason: Self.describe(error), retryAfterMilliseconds: nil)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout:
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
