import CodingFuzzing
import Foundation
import ScanBridgeCore
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

@Suite("Content codings of batch bodies")
struct ContentCodingTests {
    /// A batch-like body: repetitive JSON, as the wire carries.
    static func body(events: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var text = #"{"agent_id":"bench","batch_seq":7,"events":["#
        for index in 0..<events {
            let gtin = String(random.next() % 100_000_000_000_000)
            text +=
                #"{"id":"0193a1b2-\#(index)","seq":\#(index + 1),"type":"barcode.scanned","data":{"gtin":"\#(gtin)"}},"#
        }
        return Array((text + "]}").utf8)
    }

    @Test(
        "gzip and zstd bodies come back byte for byte, whatever the chunks they arrive in",
        arguments: ContentCoding.allCases)
    func roundTrip(coding: ContentCoding) throws {
        for seed in UInt64(1)...40 {
            let body = Self.body(events: Int(seed % 13) * 40, seed: seed)
            let compressed = try coding.compress(body)
            #expect(compressed.count < body.count / 3 || body.count < 200)
            var random = SplitMix64(seed: seed &* 31)
            let decompressor = BodyDecompressor(coding: coding, limit: body.count)
            var offset = 0
            while offset < compressed.count {
                let size = 1 + Int(random.next() % 700)
                let end = min(compressed.count, offset + size)
                try decompressor.append(Array(compressed[offset..<end]))
                offset = end
            }
            #expect(try decompressor.finish() == body)
        }
    }

    @Test("bodies another implementation compressed are read (Python's gzip, the zstd command)")
    func interoperates() throws {
        let gzip: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x4a, 0x4c, 0x4f, 0xcd, 0x2b, 0x89,
            0xcf, 0x4c, 0x51, 0xb2, 0x52, 0x4a, 0x54, 0xd2, 0x51, 0x4a, 0x4a, 0x2c, 0x49, 0xce, 0x88, 0x2f, 0x4e, 0x2d,
            0x54, 0xb2, 0x32, 0xac, 0x05, 0x00, 0x80, 0x81, 0xbd, 0x95, 0x1e, 0x00, 0x00, 0x00,
        ]
        let inflated = BodyDecompressor(coding: .gzip, limit: 1000)
        try inflated.append(gzip)
        #expect(try inflated.finish() == Array(#"{"agent_id":"a","batch_seq":1}"#.utf8))
        let zstd: [UInt8] = [
            0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x8d, 0x00, 0x00, 0x50, 0x73, 0x63, 0x61, 0x6e, 0x2d, 0x30, 0x30, 0x34,
            0x32, 0x2c, 0x01, 0x00, 0xbb, 0x52, 0x05, 0x09,
        ]
        let decompressed = BodyDecompressor(coding: .zstd, limit: 1000)
        try decompressed.append(zstd)
        #expect(try decompressed.finish() == Array(String(repeating: "scan-0042,", count: 20).utf8))
    }

    @Test("a small body that inflates past the limit is refused while it streams", arguments: ContentCoding.allCases)
    func bomb(coding: ContentCoding) throws {
        let inflatesTo = 64 * 1024 * 1024
        let compressed = try coding.compress([UInt8](repeating: 0, count: inflatesTo))
        #expect(compressed.count < 100_000)
        let decompressor = BodyDecompressor(coding: coding, limit: 1024 * 1024)
        var refusedAt: Int?
        for start in stride(from: 0, to: compressed.count, by: 4096) {
            do {
                try decompressor.append(Array(compressed[start..<min(compressed.count, start + 4096)]))
            } catch {
                #expect(error == .tooLarge(limit: 1024 * 1024))
                refusedAt = start
                break
            }
        }
        let refused = try #require(refusedAt, "inflated past the limit without a refusal")
        // Refused at the limit: about 1 MB of output's worth of input, not the whole bomb.
        #expect(refused < compressed.count / 8)
        #expect(throws: BodyDecompressor.Failure.tooLarge(limit: 1024 * 1024)) { try decompressor.finish() }
    }

    @Test("garbage, a cut-off stream and trailing bytes are each refused", arguments: ContentCoding.allCases)
    func corrupt(coding: ContentCoding) throws {
        let body = Self.body(events: 50, seed: 9)
        let compressed = try coding.compress(body)

        let garbage = BodyDecompressor(coding: coding, limit: 1 << 20)
        #expect(throws: BodyDecompressor.Failure.self) {
            try garbage.append(Array("not compressed at all, just JSON {}".utf8))
            _ = try garbage.finish()
        }

        let cut = BodyDecompressor(coding: coding, limit: 1 << 20)
        try cut.append(Array(compressed.dropLast(10)))
        #expect(throws: BodyDecompressor.Failure.truncated(coding)) { try cut.finish() }

        let trailing = BodyDecompressor(coding: coding, limit: 1 << 20)
        #expect(throws: BodyDecompressor.Failure.self) {
            try trailing.append(compressed + Array("trailing".utf8))
            _ = try trailing.finish()
        }

        var flipped = compressed
        flipped[flipped.count / 2] ^= 0x5a
        let damaged = BodyDecompressor(coding: coding, limit: 1 << 20)
        let result = Result { () throws(BodyDecompressor.Failure) in
            try damaged.append(flipped)
            return try damaged.finish()
        }
        // A flipped bit either breaks the stream or its checksum; it never yields other bytes silently.
        if case .success(let bytes) = result {
            let intact = bytes == body
            #expect(intact, "a damaged \(coding) body came back as other bytes")
        }
    }

    @Test("Content-Encoding fields: none and identity mean uncompressed; unknown codings are refused")
    func fieldNames() throws {
        #expect(try ContentCoding.named(in: nil) == nil)
        #expect(try ContentCoding.named(in: "identity") == nil)
        #expect(try ContentCoding.named(in: "GZIP") == .gzip)
        #expect(try ContentCoding.named(in: "x-gzip") == .gzip)
        #expect(try ContentCoding.named(in: "zstd") == .zstd)
        #expect(throws: UnsupportedContentCoding(field: "br")) { try ContentCoding.named(in: "br") }
        #expect(throws: UnsupportedContentCoding(field: "gzip, zstd")) { try ContentCoding.named(in: "gzip, zstd") }
    }

    @Test("every input kept in the fuzz corpus (Tests/Fuzz/Corpus/codings) holds the fuzz target's checks")
    func corpus() throws {
        let directory = TestSupport.repository + "/Tests/Fuzz/Corpus/codings"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files.count >= 4)
        for file in files {
            BodyCodingFuzzer.check(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))))
        }
    }
}
