import Foundation
import ScanBridgeAgent
import ScanBridgeReceiver
import ScanBridgeTools
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The signature header is judged before the body is read: an unknown or malformed one costs
/// the receiver no upload.
@Suite("Receiver admission before the body", .temporaryDirectory)
struct ReceiverAdmissionTests {
    @Test(
        "an unknown kid, a malformed or a missing signature header answer 401 at once, the body unread; a known kid works"
    )
    func refusedBeforeTheBody() async throws {
        let directory = TestSupport.temporaryDirectory("admission")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ReceiverStore(path: directory + "/receiver.sqlite")
        let known = SigningKey()
        try await TestReceiver.serving(store) { receiver, http in
            _ = try await store.enrol([known.publicJWK], agentID: "agent-test")
            let stranger = try DetachedJWS.sign(Array("{}".utf8), with: SigningKey())
            for (signature, error) in [
                (stranger, "unknown_key"), ("not-a-jws", "bad_signature"), ("e30..AAAA", "bad_signature"),
                (nil, "bad_signature"),
            ] {
                // Announces 4 MiB, sends 64 KiB, then nothing: a receiver waiting for the rest never
                // answers, so any answer within the client's (generous) wait is the check, not its speed.
                let outcome = await TestSupport.onThreadValue {
                    PartialUpload.send(
                        port: receiver.port, signature: signature, contentLength: 4 << 20, sent: 64 << 10,
                        wait: .seconds(30))
                }
                #expect(outcome.head.hasPrefix("HTTP/1.1 401"), "\(signature ?? "no header"): \(outcome.head)")
                #expect(outcome.body.contains(#"{"error":"\#(error)"}"#), "\(outcome.body)")
                #expect(outcome.closed, "the connection stays open to drain the body")
            }
            var factory = BatchFactory(key: known)
            let batch = try factory.next(events: 2)
            let accepted = try await http.post(receiver.url, body: batch.body, signature: batch.jws)
            #expect(accepted.body == #"{"status":"accepted","batch_seq":1}"#)
        }
    }
}

/// A POST that announces a body and sends only part of it, over a blocking loopback socket
/// (run it on a thread of its own).
enum PartialUpload {
    struct Outcome: Sendable {
        var head = ""
        var body = ""
        /// The server closed (or reset) the connection.
        var closed = false
    }

    static func send(port: Int, signature: String?, contentLength: Int, sent: Int, wait: Duration) -> Outcome {
        var outcome = Outcome()
        guard
            let fd = try? LoopbackHTTP.connect(
                port: port, timeoutMilliseconds: Int(wait.components.seconds) * 1000)
        else { return outcome }
        defer { close(fd) }
        var request = "POST /v1/scan-batches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if let signature { request += "Scanbridge-Signature: \(signature)\r\n" }
        request += "Content-Length: \(contentLength)\r\n\r\n"
        let bytes = Array(request.utf8) + [UInt8](repeating: UInt8(ascii: " "), count: sent)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { break }
            offset += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                response += buffer[0..<count]
                continue
            }
            outcome.closed = count == 0 || errno == ECONNRESET
            break
        }
        let text = String(decoding: response, as: UTF8.self)
        if let end = text.range(of: "\r\n\r\n") {
            outcome.head = String(text[..<end.lowerBound])
            outcome.body = String(text[end.upperBound...])
        }
        return outcome
    }
}
