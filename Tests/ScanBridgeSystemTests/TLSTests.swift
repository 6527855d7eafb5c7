import Foundation
import ScanBridgeCore
import ScanBridgeUpstream
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Real TLS against a local HTTPS upstream (Python's ssl module) with certificates made by
/// the openssl tool for each run.
@Suite("Upstream TLS and authentication", .serialized, .childProcesses)
struct TLSTests {
    final class Certificates: Sendable {
        let directory = TestSupport.temporaryDirectory("tls")

        init() throws {
            try run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "2", "-subj", "/CN=scanbridge test CA",
            ])
            try run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "rogue.key",
                "-out", "rogue.pem", "-days", "2", "-subj", "/CN=someone else",
            ])
            try leaf("server", extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
            try leaf("client", extensions: "extendedKeyUsage=clientAuth\n")
            try leaf("misnamed", extensions: "subjectAltName=DNS:finance.example\nextendedKeyUsage=serverAuth\n")
        }

        func path(_ name: String) -> String { directory + "/" + name }

        private func leaf(_ name: String, extensions: String) throws {
            try run([
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                "-out", "\(name).csr", "-subj", "/CN=\(name)",
            ])
            try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try run([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext",
            ])
        }

        private func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
    }

    struct Server {
        let process: Process
        let port: Int

        init(_ certificates: Certificates, leaf: String = "server", clientCA: Bool = false, token: String? = nil)
            async throws
        {
            process = Process()
            // Debian's python3 directly: a wrapper process (pyenv shims, env) would take the
            // signal meant for the server.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            let portFile = certificates.path("port-\(UUIDv7())")
            var arguments = [
                TestSupport.repository + "/Tests/Support/tls_upstream.py",
                certificates.path("\(leaf).pem"), certificates.path("\(leaf).key"), portFile,
            ]
            if clientCA { arguments += ["--client-ca", certificates.path("ca.pem")] }
            if let token { arguments += ["--token", token] }
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            _ = await TestSupport.eventually(seconds: 10) { FileManager.default.fileExists(atPath: portFile) }
            port = Int((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "") ?? 0
        }

        func stop() {
            // SIGKILL: the test process may hand its children a blocked or ignored SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func deliver(_ url: String, _ security: HTTPUpstream.Security) async throws -> DeliveryOutcome {
        let upstream = try HTTPUpstream(url: url, timeoutMilliseconds: 5000, security: security)
        let outcome = await upstream.deliver(
            body: Array(#"{"batch_seq":1}"#.utf8), signature: "x..y", idempotencyKey: "a/1", batchSeq: 1)
        await upstream.shutdown()
        return outcome
    }

    @Test("the upstream's certificate is verified: right CA delivers; no CA, another CA or another host name never do")
    func verification() async throws {
        let certificates = try Certificates()
        let server = try await Server(certificates)
        let misnamed = try await Server(certificates, leaf: "misnamed")
        defer {
            server.stop()
            misnamed.stop()
        }
        let url = "https://127.0.0.1:\(server.port)/v1/scan-batches"
        #expect(try await deliver(url, .init(caFile: certificates.path("ca.pem"))) == .accepted(status: 200))
        for (index, outcome) in [
            try await deliver(url, .init()),
            try await deliver(url, .init(caFile: certificates.path("rogue.pem"))),
            try await deliver(
                "https://127.0.0.1:\(misnamed.port)/v1/scan-batches", .init(caFile: certificates.path("ca.pem"))),
        ].enumerated() {
            guard case .retry(let reason, _) = outcome else {
                Issue.record("case \(index): an unverifiable upstream was accepted: \(outcome)")
                continue
            }
            #expect(reason.contains("TLS") || reason.contains("certificate"), "\(reason)")
        }
    }

    @Test("mutual TLS: the client certificate is presented when configured")
    func mutualTLS() async throws {
        let certificates = try Certificates()
        let server = try await Server(certificates, clientCA: true)
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)/v1/scan-batches"
        let withCertificate = HTTPUpstream.Security(
            caFile: certificates.path("ca.pem"), clientCertificateFile: certificates.path("client.pem"),
            clientKeyFile: certificates.path("client.key"))
        #expect(try await deliver(url, withCertificate) == .accepted(status: 200))
        if case .accepted = try await deliver(url, .init(caFile: certificates.path("ca.pem"))) {
            Issue.record("the server required a client certificate, yet delivery without one succeeded")
        }
    }

    @Test("a bearer token file is sent as Authorization; without it the upstream's 401 parks the batch")
    func bearerToken() async throws {
        let certificates = try Certificates()
        let server = try await Server(certificates, token: "s3cret-token")
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)/v1/scan-batches"
        let tokenFile = certificates.path("token")
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(
            try await deliver(url, .init(caFile: certificates.path("ca.pem"), bearerTokenFile: tokenFile))
                == .accepted(status: 200))
        guard case .rejected(let status, _) = try await deliver(url, .init(caFile: certificates.path("ca.pem"))) else {
            Issue.record("expected a permanent rejection without the token")
            return
        }
        #expect(status == 401)
    }
}
