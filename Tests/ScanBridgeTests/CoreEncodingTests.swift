import Foundation
import ScanBridgeCore
import Testing

@testable import ScanBridgeTestSupport

@Suite("Core encodings", .temporaryDirectory)
struct CoreEncodingTests {
    @Test("timestamps are UTC with exactly six fractional digits, and parse back")
    func timestamps() {
        let time = Timestamp(microsecondsSinceEpoch: 1_795_529_823_123_456)
        #expect(time.iso8601 == "2026-11-24T14:17:03.123456Z")
        #expect(Timestamp(iso8601: "2026-11-24T14:17:03.123456Z") == time)
        #expect(Timestamp(iso8601: "2026-11-24T14:17:03Z")?.iso8601 == "2026-11-24T14:17:03.000000Z")
        #expect(Timestamp(microsecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(microsecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(iso8601: "2024-02-29T00:00:00.5Z")?.iso8601 == "2024-02-29T00:00:00.500000Z")
        #expect(Timestamp(iso8601: "2025-02-29T00:00:00Z") == nil)
        #expect(Timestamp(iso8601: "2026-11-24T14:17:03+01:00") == nil)
    }

    @Test("UUIDv7 carries the millisecond time, version 7 and the RFC variant")
    func uuidv7() {
        var generator = FixedGenerator()
        let id = UUIDv7(timestamp: Timestamp(microsecondsSinceEpoch: 1_700_000_000_123_999), using: &generator)
        let text = id.description
        #expect(text.count == 36)
        #expect(text.hasPrefix("018bcfe5-687b-7"))
        #expect(["8", "9", "a", "b"].contains(text[text.index(text.startIndex, offsetBy: 19)]))
    }

    @Test("base64 and base64url follow RFC 4648 test vectors")
    func base64() {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.urlEncode([0xFB, 0xFF]) == "-_8")
        #expect(Base64.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64.decode("a$b") == nil)
    }

    @Test("base64 of arrays and of non-contiguous collections agrees with Foundation at every length")
    func base64Lengths() {
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let expected = Data(bytes).base64EncodedString()
            #expect(Base64.encode(bytes) == expected)
            #expect(Base64.encode(bytes.lazy.map { $0 }) == expected)
            let url = expected.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Base64.urlEncode(bytes) == url)
            #expect(Base64.urlEncode(bytes[...]) == url)
            #expect(Base64.urlEncoded(bytes, after: Array("eyJ9.".utf8)) == Array("eyJ9.\(url)".utf8))
            #expect(Base64.decode(url) == bytes)
        }
    }

    @Test("the JSON writer escapes what JSON requires and keeps key order")
    func jsonWriter() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("text", "a\"b\\c\u{1D}\n")
        writer.field("n", Int64(-5))
        writer.field("none", nil as String?)
        writer.key("list")
        writer.beginArray()
        writer.integer(1)
        writer.bool(true)
        writer.endArray()
        writer.endObject()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == #"{"text":"a\"b\\c\u001d\n","n":-5,"none":null,"list":[1,true]}"#)
    }
}

struct FixedGenerator: RandomNumberGenerator {
    mutating func next() -> UInt64 { 0x0123_4567_89AB_CDEF }
}
