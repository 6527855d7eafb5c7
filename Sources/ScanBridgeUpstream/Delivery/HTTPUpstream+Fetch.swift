import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension HTTPUpstream {
    /// What a GET to the upstream's host answered.
    public enum Fetched: Sendable, Equatable {
        case answered(status: Int, etag: String?, body: [UInt8])
        /// No answer: unreachable, timed out, TLS refused; the reason is for the log.
        case failed(String)
    }

    /// A GET on the same connection pool, TLS settings and credentials as the batches (a profile
    /// bundle), with `headers` added; the body is read up to `limit` bytes.
    public func fetch(url: String, headers: [(name: String, value: String)], limit: Int = 4 << 20) async -> Fetched {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "scanbridge")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutMilliseconds)))
            var buffer = try await response.body.collect(upTo: limit)
            return .answered(
                status: Int(response.status.code), etag: response.headers.first(name: "ETag"),
                body: buffer.readBytes(length: buffer.readableBytes) ?? [])
        } catch {
            return .failed(Self.describe(error))
        }
    }
}
