import Foundation
import ScanBridgeCore
import ScanBridgeWire
import Testing

@testable import ScanBridgeTestSupport

/// The receiver's one-pass batch parser: what it accepts must be exactly what the agent signed,
/// and what it refuses must say which field or byte is wrong.
@Suite(.temporaryDirectory) struct WireBatchParseTests {
    static func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Why the parser refuses `body`, or nil when it accepts it.
    static func refusal(_ body: [UInt8]) -> String? {
        do {
            _ = try WireBatch.parse(body)
            return nil
        } catch { return error.reason }
    }

    static let event =
        #"{"id":"e1","seq":1,"type":"barcode.scanned","occurred_at":"2026-11-27T10:00:00Z","device":{"id":"d"},"data":{"n":[1,2.5e3,true,null,"x"]}}"#

    static func batch(events: String = "[\(event)]", prev: String = "null", extra: String = "") -> [UInt8] {
        body(
            #"{"agent_id":"a","batch_seq":1,"prev_sha256":\#(prev),"created_at":"2026-11-27T10:00:00Z",\#(extra)"events":\#(events)}"#
        )
    }

    @Test func agentBatchesParseWithEachEventsExactBytes() throws {
        var factory = BatchFactory()
        let (first, _) = try factory.next(events: 3)
        let (body, _) = try factory.next(events: 500)
        let batch = try WireBatch.parse(body)
        #expect(batch.agentID == "agent-test" && batch.batchSeq == 2 && batch.events.count == 500)
        #expect(batch.previousSHA256 == BatchBody.sha256Hex(first))
        #expect(batch.events.map(\.seq) == Array(4...503))
        let document = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
        let events = document["events"] as! [[String: Any]]
        for (parsed, decoded) in zip(batch.events, events) {
            let reread = try JSONSerialization.jsonObject(with: Data(parsed.bytes)) as! [String: Any]
            #expect(NSDictionary(dictionary: reread).isEqual(to: decoded))
            #expect(parsed.id == decoded["id"] as? String && parsed.type == "barcode.scanned")
        }
    }

    @Test func eventBytesEndAtTheirOwnBraceWhateverTheStringsHold() throws {
        let second =
            #"{"id":"e2","seq":2,"type":"t","occurred_at":"2026-11-27T10:00:00Z","device":{"s":"}]"},"data":{"s":"\"}"}}"#
        let batch = try WireBatch.parse(
            Self.batch(events: "[ \(Self.event) ,\n\(second)]", extra: #""z":[{"x":"]"}],"#))
        #expect(batch.events.map { String(decoding: $0.bytes, as: UTF8.self) } == [Self.event, second])
    }

    @Test func escapesInValuesDecode() throws {
        let event =
            #"{"id":"\u00e9\ud83d\ude00","seq":1,"type":"a\/b\n","occurred_at":"2026-11-27T10:00:00Z","device":{},"data":{"\"k":"\\"}}"#
        let batch = try WireBatch.parse(Self.batch(events: "[\(event)]"))
        try #require(batch.events.count == 1)
        #expect(batch.events[0].id == "é😀")
        #expect(batch.events[0].type == "a/b\n")
        #expect(batch.events[0].bytes == Array(event.utf8))
    }

    @Test(arguments: [
        (#"{"batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]}"#, "agent_id is missing"),
        (
            #"{"agent_id":null,"batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]}"#,
            "agent_id is null"
        ),
        (
            #"{"agent_id":"a","batch_seq":"1","prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]}"#,
            "batch_seq has the wrong type: expected an integer"
        ),
        (
            #"{"agent_id":"a","batch_seq":1.0,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]}"#,
            "batch_seq must be an integer within 64 bits"
        ),
        (
            #"{"agent_id":"a","batch_seq":9223372036854775808,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]}"#,
            "batch_seq must be an integer within 64 bits"
        ),
        (#"{"agent_id":"a","batch_seq":1,"created_at":"2026-11-27T10:00:00Z","events":[]}"#, "prev_sha256 is missing"),
        (
            #"{"agent_id":"a","agent_id":"b","batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]}"#,
            "agent_id appears twice"
        ),
        (
            #"{"agent_id":"a","batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":{}}"#,
            "events has the wrong type: expected an array"
        ),
        (
            #"{"agent_id":"a","batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[{"id":"e","seq":1,"type":"t","occurred_at":"2026-11-27T10:00:00Z","device":{}}]}"#,
            "events[0].data is missing"
        ),
        (
            #"{"agent_id":"a","batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[{"id":"e","seq":1,"type":"t","occurred_at":"2026-11-27T10:00:00Z","device":[],"data":{}}]}"#,
            "events[0].device has the wrong type: expected an object"
        ),
        (
            #"{"agent_id":"a","batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]} x"#,
            "invalid JSON at byte 98: trailing bytes after the object"
        ),
        (#"[1]"#, "body is not a batch: expected a JSON object"),
        (
            #"{"agent_id":"a\u0001","batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[],"x":01}"#,
            "invalid JSON at byte 108: expected '}'"
        ),
        (
            #"{"agent_id":"\ud800","batch_seq":1,"prev_sha256":null,"created_at":"2026-11-27T10:00:00Z","events":[]}"#,
            "invalid JSON at byte 19: \\u escape of a lone surrogate"
        ),
        (
            #"{"agent_id":"a","batch_seq":1,"prev_sha256":null,"created_at":"yesterday","events":[]}"#,
            "created_at must be an RFC 3339 UTC timestamp"
        ),
    ])
    func refusalsSayWhatIsWrong(body: String, reason: String) {
        #expect(Self.refusal(Self.body(body)) == reason)
    }

    @Test func invalidUTF8AndControlCharactersAndDeepNestingAreRefused() {
        var invalid = Self.batch()
        let quote = invalid.firstIndex(of: UInt8(ascii: "a"))!  // in the first member name
        invalid[quote] = 0xC0
        #expect(Self.refusal(invalid) == "invalid JSON at byte 2: invalid UTF-8")
        var control = Self.batch()
        control[quote] = 0x01
        #expect(Self.refusal(control) == "invalid JSON at byte 2: control character in string")
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(throws: WireBatch.Malformed.self) { try WireBatch.parse(Self.batch(extra: #""x":\#(deep),"#)) }
        #expect(throws: Never.self) {
            try WireBatch.parse(
                Self.batch(extra: #""x":\#(String(repeating: "[", count: 40))\#(String(repeating: "]", count: 40)),"#))
        }
    }

    /// Whatever the parser accepts, a standard JSON parser reads the same way: a mutated body
    /// is never read differently by the receiver than by the finance system behind it.
    @Test func acceptsOnlyWhatStandardJSONReadsTheSame() throws {
        var factory = BatchFactory()
        let (valid, _) = try factory.next(events: 3)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]",:\0123456789.eE+-tfnul "#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xED, 0xF4, 0xFF]
        var accepted = 0
        for _ in 0..<4000 {
            var body = valid
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<body.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: body[at] = alphabet.randomElement(using: &generator)!
                case 1: body.remove(at: at)
                default: body.insert(alphabet.randomElement(using: &generator)!, at: at)
                }
            }
            guard let batch = try? WireBatch.parse(body) else { continue }
            accepted += 1
            let document = try #require(
                try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                "accepted a body standard JSON refuses: \(String(decoding: body, as: UTF8.self))")
            #expect(document["agent_id"] as? String == batch.agentID)
            #expect((document["batch_seq"] as? NSNumber)?.int64Value == batch.batchSeq)
            let events = try #require(document["events"] as? [[String: Any]])
            #expect(events.count == batch.events.count)
            for (decoded, parsed) in zip(events, batch.events) {
                #expect(decoded["id"] as? String == parsed.id && decoded["type"] as? String == parsed.type)
                let reread = try JSONSerialization.jsonObject(with: Data(parsed.bytes)) as? [String: Any]
                #expect(reread.map { NSDictionary(dictionary: $0).isEqual(to: decoded) } == true)
            }
        }
        #expect(accepted > 0)
    }
}
