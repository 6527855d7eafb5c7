import Foundation
import ScanBridgeCore
import ScanBridgeReceiver
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// `Content-Encoding` at the reference receiver: gzip and zstd are read, the signature is
/// checked over the inflated bytes, the body limit applies to what the body becomes.
@Suite("Receiver: compressed batches", .temporaryDirectory)
struct ReceiverCompressionTests {
    /// A receiver trusting a fresh key, a client and a batch factory for `agentID`; both
    /// stopped on every way out of `body`.
    func withReceiver(
        agentID: String, maximumBodyBytes: Int? = nil,
        _ body: (TestReceiver<ReceiverStore>, ReceiverHTTP, inout BatchFactory) async throws -> Void
    ) async throws {
        let key = SigningKey()
        let receiver = try await TestReceiver.start(trusting: key, maximumBodyBytes: maximumBodyBytes)
        let http = ReceiverHTTP()
        var factory = BatchFactory(key: key, agentID: agentID)
        do {
            try await body(receiver, http, &factory)
        } catch {
            await http.shutdown()
            await receiver.stop()
            throw error
        }
        await http.shutdown()
        await receiver.stop()
    }

    @Test("gzip, zstd and plain batches are verified over their uncompressed bytes and stored as signed")
    func codings() async throws {
        try await withReceiver(agentID: "agent-z") { receiver, http, factory in
            var sent: [[UInt8]] = []
            for coding in [ContentCoding.gzip, .zstd, nil, .gzip] {
                let batch = try factory.next(events: 40)
                sent.append(batch.body)
                let body = try coding.map { try $0.compress(batch.body) } ?? batch.body
                let answer = try await http.post(
                    receiver.url, body: body, signature: batch.jws, contentEncoding: coding?.rawValue)
                #expect(answer.status == 200, "\(coding.map(\.rawValue) ?? "none"): \(answer.body)")
            }
            #expect(try receiver.store.batches(agentID: "agent-z").map(\.body) == sent)
        }
    }

    @Test("another coding is answered 415 naming gzip and zstd, before the body is stored")
    func unsupported() async throws {
        try await withReceiver(agentID: "agent-b") { receiver, http, factory in
            let batch = try factory.next(events: 3)
            let answer = try await http.post(
                receiver.url, body: batch.body, signature: batch.jws, contentEncoding: "br")
            #expect(answer.status == 415)
            #expect(answer.header("Accept-Encoding") == "gzip, zstd")
            #expect(answer.isJSON(["error": "unsupported_encoding", "accepted": ["gzip", "zstd"]]))
            #expect(try receiver.store.eventCount(agentID: "agent-b") == 0)
        }
    }

    @Test(
        "the body limit applies to the inflated size: a small upload that inflates past it is refused 413",
        arguments: ContentCoding.allCases)
    func limitIsOnInflatedSize(coding: ContentCoding) async throws {
        try await withReceiver(agentID: "agent-l", maximumBodyBytes: 64 * 1024) { receiver, http, factory in
            // A real batch over the limit once inflated, and a bomb of zeros under one signature.
            let large = try factory.next(events: 600)
            #expect(large.body.count > 64 * 1024)
            let compressedLarge = try coding.compress(large.body)
            #expect(compressedLarge.count < 64 * 1024)
            let bomb = try coding.compress([UInt8](repeating: 0, count: 64 * 1024 * 1024))
            let overLimit = try await http.post(
                receiver.url, body: compressedLarge, signature: large.jws, contentEncoding: coding.rawValue)
            let bombed = try await http.post(
                receiver.url, body: bomb, signature: large.jws, contentEncoding: coding.rawValue)
            #expect(overLimit.status == 413)
            #expect(overLimit.isJSON(["error": "too_large", "limit_bytes": 65536]))
            #expect(bombed.status == 413)
            #expect(try receiver.store.eventCount(agentID: "agent-l") == 0)
        }
    }

    @Test("a body that is not valid in its coding is answered 400 malformed and nothing is stored")
    func corrupt() async throws {
        try await withReceiver(agentID: "agent-c") { receiver, http, factory in
            let batch = try factory.next(events: 5)
            let plainAsGzip = try await http.post(
                receiver.url, body: batch.body, signature: batch.jws, contentEncoding: "gzip")
            let cutZstd = try await http.post(
                receiver.url, body: Array(try ContentCoding.zstd.compress(batch.body).dropLast(6)),
                signature: batch.jws, contentEncoding: "zstd")
            #expect(plainAsGzip.status == 400)
            #expect(plainAsGzip.json?["error"] as? String == "malformed")
            #expect(cutZstd.status == 400)
            #expect(try receiver.store.eventCount(agentID: "agent-c") == 0)
        }
    }
}
