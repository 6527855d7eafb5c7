import Testing

@testable import ScanBridgePayloads

@Suite struct StructuralFingerprintTests {
    @Test func listsLeafPathsWithTypes() throws {
        let value = try JSONValue.parse(
            #"{"sku": "A1", "qty": {"amount": 3, "unit": "kg"}, "tags": ["a", 1, {"x": null}], "#
                + #""e": {}, "l": [], "a/b": true}"#)
        #expect(
            StructuralFingerprint(value).paths == [
                "/a~1b:boolean", "/e:object", "/l:array", "/qty/amount:number", "/qty/unit:string", "/sku:string",
                "/tags/*/x:null", "/tags/*:number", "/tags/*:string",
            ])
        #expect(StructuralFingerprint(.string("x")).paths == [":string"])
    }

    @Test func ignoresValuesOrderAndArrayLength() throws {
        let first = try JSONValue.parse(#"{"a": 1, "b": ["x"]}"#)
        let second = try JSONValue.parse(#"{"b": ["y", "z", "w"], "a": 2.5}"#)
        #expect(StructuralFingerprint(first) == StructuralFingerprint(second))
        #expect(StructuralFingerprint(first).identifier == StructuralFingerprint(second).identifier)
        #expect(StructuralFingerprint(first).identifier.count == 16)
    }

    @Test func detectsAChangedQuantityShape() throws {
        let before = StructuralFingerprint(try JSONValue.parse(#"{"sku": "A", "qty": 3}"#))
        let after = StructuralFingerprint(try JSONValue.parse(#"{"sku": "A", "qty": {"amount": 3, "unit": "kg"}}"#))
        #expect(before != after)
        #expect(before.identifier != after.identifier)
        #expect(after.description == "/qty/amount:number\n/qty/unit:string\n/sku:string")
    }
}
