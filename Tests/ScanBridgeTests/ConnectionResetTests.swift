import Foundation
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Connection reset mid-request", .temporaryDirectory)
struct ConnectionResetTests {
    /// Accepts one connection, reads part of the request, and resets it (SO_LINGER 0).
    static func resettingServer() throws -> (port: Int, done: Task<Void, Never>) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 4) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let done = TestSupport.onThread {
            let connection = accept(listener, nil, nil)
            var buffer = [UInt8](repeating: 0, count: 64)
            _ = read(connection, &buffer, buffer.count)
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close(connection)
            close(listener)
        }
        return (port, done)
    }

    @Test("a reset in the middle of a request is a retry, never an acknowledgement")
    func reset() async throws {
        let server = try Self.resettingServer()
        let upstream = try HTTPUpstream(
            url: "http://127.0.0.1:\(server.port)/v1/scan-batches", timeoutMilliseconds: 5000)
        let outcome = await upstream.deliver(
            body: Array(repeating: UInt8(ascii: "x"), count: 100_000), signature: "a..b", idempotencyKey: "a/1",
            batchSeq: 1)
        await upstream.shutdown()
        await server.done.value
        guard case .retry(let reason, _) = outcome else {
            Issue.record("a reset connection was taken as \(outcome)")
            return
        }
        #expect(!reason.isEmpty)
    }
}
