import Testing

@testable import ScanBridgePayloads

@Suite struct JSONPointerTests {
    static let document = try! JSONValue.parse(
        #"{"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\j":5,"k\"l":6," ":7,"m~n":8}"#)

    /// RFC 6901 section 5.
    @Test func resolvesTheRFCExamples() throws {
        let expectations: [(String, JSONValue?)] = [
            ("", Self.document), ("/foo", try JSONValue.parse(#"["bar","baz"]"#)), ("/foo/0", .string("bar")),
            ("/", .number(JSONNumber(0))), ("/a~1b", .number(JSONNumber(1))), ("/c%d", .number(JSONNumber(2))),
            ("/e^f", .number(JSONNumber(3))), ("/g|h", .number(JSONNumber(4))), ("/i\\j", .number(JSONNumber(5))),
            ("/k\"l", .number(JSONNumber(6))), ("/ ", .number(JSONNumber(7))), ("/m~0n", .number(JSONNumber(8))),
            ("/foo/2", nil), ("/foo/-", nil), ("/foo/01", nil), ("/nope", nil), ("/foo/0/x", nil),
        ]
        for (text, expected) in expectations {
            #expect(try JSONPointer(text).resolve(in: Self.document) == expected, "\(text)")
        }
    }

    @Test func uriFragments() throws {
        #expect(try JSONPointer(uriFragment: "#") == .root)
        #expect(try JSONPointer(uriFragment: "#/c%25d").tokens == ["c%d"])
        #expect(try JSONPointer(uriFragment: "#/k%22l").tokens == ["k\"l"])
        #expect(try JSONPointer(uriFragment: "#/%20").tokens == [" "])
        #expect(try JSONPointer(uriFragment: "#/$defs//$defs/").tokens == ["$defs", "", "$defs", ""])
        #expect(throws: JSONPointer.SyntaxError.self) { try JSONPointer(uriFragment: "/a") }
        #expect(throws: JSONPointer.SyntaxError.self) { try JSONPointer(uriFragment: "#/%zz") }
        #expect(throws: JSONPointer.SyntaxError.self) { try JSONPointer(uriFragment: "#/%ff") }
    }

    @Test func refusesMalformedPointers() {
        for text in ["a", "/~", "/~2", "/a~"] {
            #expect(throws: JSONPointer.SyntaxError.self) { try JSONPointer(text) }
        }
    }

    @Test func escapesAndRoundTrips() throws {
        let pointer = JSONPointer(tokens: ["a/b", "m~n", "", "0"])
        #expect(pointer.description == "/a~1b/m~0n//0")
        #expect(try JSONPointer(pointer.description) == pointer)
        #expect(JSONPointer.escape("~/") == "~0~1")
        #expect(JSONPointer.root.description == "")
        #expect(pointer.parent == JSONPointer(tokens: ["a/b", "m~n", ""]))
        #expect(JSONPointer.root.parent == nil)
        #expect(pointer.hasPrefix(["a/b"]))
        #expect(JSONPointer.root.appending("x").appending(index: 3).description == "/x/3")
    }
}

@Suite struct JSONValueAccessorTests {
    @Test func accessorsAndPointerSubscript() throws {
        let value = try JSONValue.parse(#"{"qty": {"amount": 12.5, "unit": "cm"}, "ok": true, "n": null, "l": [1]}"#)
        #expect(value[try JSONPointer("/qty/amount")]?.numberValue == JSONNumber("12.50"))
        #expect(value[try JSONPointer("/qty/unit")]?.stringValue == "cm")
        #expect(value["ok"]?.boolValue == true)
        #expect(value["n"]?.isNull == true)
        #expect(value["l"]?.arrayValue?.count == 1)
        #expect(value["qty"]?.objectValue?.keys == ["amount", "unit"])
        #expect(value["qty"]?.stringValue == nil)
    }
}
