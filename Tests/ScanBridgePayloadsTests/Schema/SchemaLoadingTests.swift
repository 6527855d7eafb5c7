import Testing

@testable import ScanBridgePayloads

@Suite struct SchemaLoadingTests {
    private func loadError(_ text: String) -> SchemaLoadError? {
        do {
            _ = try JSONSchema(json: Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func refusesKeywordsOutsideTheSubsetWithTheirPointer() {
        let error = loadError(##"{"properties": {"a": {"type": "object", "unevaluatedProperties": false}}}"##)
        #expect(error?.reason == .unsupportedKeyword("unevaluatedProperties"))
        #expect(error?.pointer == ["properties", "a"])
        #expect(error?.description == ##"unsupported keyword "unevaluatedProperties" at /properties/a"##)
    }

    @Test(arguments: [
        (##"{"contains": {}}"##, "contains", ""),
        (##"{"$defs": {"x": {"propertyNames": {}}}}"##, "propertyNames", "/$defs/x"),
        (##"{"items": {"dependentRequired": {}}}"##, "dependentRequired", "/items"),
        (##"{"allOf": [true, {"minContains": 1}]}"##, "minContains", "/allOf/1"),
        (##"{"definitions": {}}"##, "definitions", ""),
        (##"{"$id": "http://example.com/s"}"##, "$id", ""),
        (##"{"$anchor": "x"}"##, "$anchor", ""),
        (##"{"$dynamicRef": "#x"}"##, "$dynamicRef", ""),
        (##"{"properties": {"a/b": {"foo": 1}}}"##, "foo", "/properties/a~1b"),
    ])
    func refusals(_ schema: String, _ keyword: String, _ pointer: String) throws {
        let error = try #require(loadError(schema))
        #expect(error.reason == .unsupportedKeyword(keyword))
        #expect(error.pointer == (try JSONPointer(pointer)))
    }

    @Test func refusesReferencesOutsideTheDocument() {
        #expect(
            loadError(##"{"$ref": "https://json-schema.org/draft/2020-12/schema"}"##)?.reason
                == .unsupportedReference("https://json-schema.org/draft/2020-12/schema"))
        #expect(loadError(##"{"$ref": "#anchor"}"##)?.reason == .unsupportedReference("#anchor"))
        let missing = loadError(##"{"properties": {"a": {"$ref": "#/$defs/missing"}}}"##)
        #expect(missing?.reason == .unresolvableReference("#/$defs/missing"))
        #expect(missing?.pointer == ["properties", "a", "$ref"])
    }

    @Test func refusesReferenceLoopsThatNeverDescend() {
        #expect(loadError(##"{"$ref": "#"}"##)?.reason == .circularReference("#"))
        let loop = loadError(
            ##"{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}}"##)
        #expect(loop?.description.hasPrefix("circular reference") == true)
        // Recursion through properties or items descends into the instance: fine.
        #expect(loadError(##"{"properties": {"next": {"$ref": "#"}}}"##) == nil)
        #expect(loadError(##"{"items": {"$ref": "#"}, "anyOf": [{"type": "array"}]}"##) == nil)
    }

    @Test func refusesMalformedKeywordValues() {
        let cases: [(String, String)] = [
            (##"{"type": "float"}"##, "type"), (##"{"type": ["string", "string"]}"##, "type"),
            (##"{"minLength": -1}"##, "minLength"), (##"{"maxItems": 1.5}"##, "maxItems"),
            (##"{"multipleOf": 0}"##, "multipleOf"), (##"{"required": [1]}"##, "required"),
            (##"{"enum": 1}"##, "enum"), (##"{"allOf": []}"##, "allOf"), (##"{"minimum": "1"}"##, "minimum"),
            (##"{"uniqueItems": 1}"##, "uniqueItems"), (##"{"pattern": 1}"##, "pattern"),
        ]
        for (schema, keyword) in cases {
            guard case .invalidKeywordValue(let named, _) = loadError(schema)?.reason else {
                Issue.record("\(schema) was not refused as an invalid value")
                continue
            }
            #expect(named == keyword)
        }
        #expect(loadError(##"{"properties": {"a": 1}}"##)?.reason == .notASchema)
        #expect(loadError("[]")?.reason == .notASchema)
        #expect(loadError(##"{"pattern": "(unclosed"}"##).map { "\($0.reason)".contains("invalidPattern") } == true)
        #expect(loadError(##"{"format": "email"}"##)?.reason == .unsupportedFormat("email"))
        #expect(loadError(##"{"$schema": "http://json-schema.org/draft-07/schema##"}"##) != nil)
        if case .notJSON(let parse)? = loadError(##"{"type": }"##)?.reason {
            #expect(parse.offset == 9)
        } else {
            Issue.record("not refused as not JSON")
        }
    }

    @Test func acceptsAnnotationsAndBooleanSchemas() throws {
        let schema = try JSONSchema(
            json: Array(
                ##"""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": "c", "title": "t",
                 "description": "d", "default": 1, "examples": [1], "deprecated": false, "readOnly": true,
                 "writeOnly": false, "properties": {"a": true, "b": false}}
                """##.utf8))
        #expect(schema.isValid(try JSONValue.parse(##"{"a": 1}"##)))
        #expect(!schema.isValid(try JSONValue.parse(##"{"b": 1}"##)))
        #expect(try JSONSchema(.bool(true)).isValid(.null))
        #expect(try !JSONSchema(.bool(false)).isValid(.null))
    }
}
