import Testing

@testable import ScanBridgePayloads

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e3, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#)
        #expect(value["a"]?[0] == .number(JSONNumber(1)))
        #expect(value["a"]?[1] == .number(JSONNumber("-2500")!))
        #expect(value["a"]?[2] == .bool(true))
        #expect(value["a"]?[4] == .null)
        #expect(value["a"]?[5] == .string("xé😀\n"))
        #expect(value["b"] == .object([:]))
    }

    @Test func keepsKeyOrderAndNumberLiterals() throws {
        let text = #"{"z":1.50,"a":[1E+2,-0.0],"m":"\"\\\/\b\f\r\t"}"#
        let value = try JSONValue.parse(text)
        if case .object(let object) = value { #expect(object.keys == ["z", "a", "m"]) }
        #expect(value.serialized() == #"{"z":1.50,"a":[1E+2,-0.0],"m":"\"\\/\b\f\r\t"}"#)
        #expect(value.serialized(sortingKeys: true) == #"{"a":[1E+2,-0.0],"m":"\"\\/\b\f\r\t","z":1.50}"#)
    }

    @Test func scalarDocumentsAreAllowed() throws {
        #expect(try JSONValue.parse("42") == .number(JSONNumber(42)))
        #expect(try JSONValue.parse(" \"s\" ") == .string("s"))
        #expect(try JSONValue.parse("null") == .null)
    }

    /// (input, expected reason, expected byte offset)
    static let failures: [(String, JSONParseError.Reason, Int)] = [
        ("", .emptyDocument, 0),
        ("   ", .emptyDocument, 3),
        ("[1,]", .unexpectedByte(UInt8(ascii: "]")), 3),
        ("[1 2]", .unexpectedByte(UInt8(ascii: "2")), 3),
        ("{\"a\" 1}", .unexpectedByte(UInt8(ascii: "1")), 5),
        ("{\"a\":1,\"a\":2}", .duplicateKey("a"), 7),
        ("01", .invalidNumber, 1),
        ("1.", .invalidNumber, 2),
        ("-", .invalidNumber, 1),
        ("1e", .invalidNumber, 2),
        ("+1", .unexpectedByte(UInt8(ascii: "+")), 0),
        (".5", .unexpectedByte(UInt8(ascii: ".")), 0),
        ("NaN", .unexpectedByte(UInt8(ascii: "N")), 0),
        ("1 2", .trailingContent, 2),
        ("\"abc", .unexpectedEnd, 4),
        ("\"a\tb\"", .controlCharacterInString(0x09), 2),
        ("\"\\x\"", .invalidEscape, 1),
        ("\"\\u12G4\"", .invalidEscape, 5),
        ("\"\\ud800\"", .loneSurrogate, 1),
        ("\"\\udc00\"", .loneSurrogate, 1),
        ("\"\\ud800\\u0041\"", .loneSurrogate, 1),
        ("tru", .unexpectedEnd, 3),
        ("nul!", .unexpectedByte(UInt8(ascii: "!")), 3),
        ("1e99999999999999", .exponentTooLarge, 0),
    ]

    @Test(arguments: failures.indices)
    func reportsErrorsWithOffsets(_ index: Int) {
        let (input, reason, offset) = Self.failures[index]
        #expect(throws: JSONParseError(reason, at: offset)) { try JSONValue.parse(input) }
    }

    @Test func refusesInvalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xC0, 0x80, 0x22],  // overlong NUL
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],  // beyond U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
            [0x22, 0x80, 0x22],  // stray continuation byte
        ]
        for bytes in cases {
            #expect(throws: JSONParseError(.invalidUTF8, at: 1)) { try JSONValue.parse(bytes) }
        }
        #expect(throws: JSONParseError(.byteOrderMark, at: 0)) { try JSONValue.parse([0xEF, 0xBB, 0xBF, 0x31]) }
        #expect(throws: JSONParseError(.unexpectedByte(0xC3), at: 0)) { try JSONValue.parse([0xC3, 0xA9]) }
    }

    @Test func acceptsValidMultibyteUTF8() throws {
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]
        #expect(try JSONValue.parse(bytes) == .string("é€😀"))
    }

    @Test func enforcesLimits() throws {
        let limits = JSONParsingLimits(maximumDepth: 3, maximumBytes: 20, maximumNumberLength: 5)
        #expect(throws: Never.self) { try JSONValue.parse("[[[1]]]", limits: limits) }
        #expect(throws: JSONParseError(.tooDeep(limit: 3), at: 3)) { try JSONValue.parse("[[[[1]]]]", limits: limits) }
        #expect(throws: JSONParseError(.tooLarge(limit: 20), at: 20)) {
            try JSONValue.parse(String(repeating: " ", count: 21) + "1", limits: limits)
        }
        #expect(throws: JSONParseError(.numberTooLong(limit: 5), at: 1)) {
            try JSONValue.parse("[123456]", limits: limits)
        }
        // The default depth limit holds for deeply nested input, without exhausting the stack.
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError(.tooDeep(limit: 256), at: 256)) { try JSONValue.parse(deep) }
    }

    @Test func errorDescriptionsNameTheOffset() {
        let error = JSONParseError(.duplicateKey("qty"), at: 12)
        #expect(error.description == #"duplicate object key "qty" at byte 12"#)
        #expect(JSONParseError(.unexpectedByte(0x00), at: 3).description == "unexpected byte 0x00 at byte 3")
    }

    @Test func equalityIsJSONEquality() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":[1.0]}"#) == JSONValue.parse(#"{"b":[1],"a":1e0}"#))
        #expect(try JSONValue.parse("true") != JSONValue.parse("1"))
        #expect(JSONValue.string("\u{e4}") != .string("a\u{308}"))
        #expect(Set([JSONValue.string("\u{e4}"), .string("a\u{308}")]).count == 2)
        let object: JSONObject = ["\u{e4}": .null, "a\u{308}": .bool(true)]
        #expect(object.count == 2)
        #expect(object["a\u{308}"] == .bool(true))
    }

    @Test func objectEditing() {
        var object: JSONObject = ["a": .null, "b": .bool(true), "c": .null]
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        object["c"] = .bool(false)
        object["d"] = .null
        #expect(object.keys == ["a", "c", "d"])
        #expect(object["c"] == .bool(false))
        let appended = object.append(key: "a", value: .null)
        #expect(!appended)
    }
}
