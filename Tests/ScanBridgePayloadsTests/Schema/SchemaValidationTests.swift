import Testing

@testable import ScanBridgePayloads

@Suite struct SchemaValidationTests {
    private func schema(_ text: String) throws -> JSONSchema {
        try JSONSchema(json: Array(text.utf8))
    }

    private func errors(_ schemaText: String, _ instance: String) throws -> [SchemaValidationError] {
        try schema(schemaText).validate(JSONValue.parse(instance))
    }

    static let quantitySchema = ##"""
        {"type": "object", "required": ["sku", "qty"],
         "properties": {
           "sku": {"type": "string", "pattern": "^[A-Z0-9]+$", "maxLength": 8},
           "qty": {"$ref": "#/$defs/quantity"}},
         "additionalProperties": false,
         "$defs": {"quantity": {"type": "object", "required": ["amount"],
                                "properties": {"amount": {"type": "number", "minimum": 0, "multipleOf": 0.001},
                                               "unit": {"enum": ["kg", "g"]}}}}}
        """##

    @Test func validPayloadHasNoErrors() throws {
        #expect(try errors(Self.quantitySchema, ##"{"sku": "AB12", "qty": {"amount": 1.250, "unit": "kg"}}"##).isEmpty)
    }

    @Test func errorsCarryInstanceAndSchemaPointers() throws {
        let found = try errors(
            Self.quantitySchema, ##"{"sku": "ab-12", "qty": {"amount": -0.0005, "unit": "lb"}, "extra": 1}"##)
        let summary = found.map { "\($0.instancePointer) \($0.schemaPointer)" }
        #expect(
            summary == [
                "/sku /properties/sku/pattern",
                "/qty/amount /$defs/quantity/properties/amount/minimum",
                "/qty/amount /$defs/quantity/properties/amount/multipleOf",
                "/qty/unit /$defs/quantity/properties/unit/enum",
                "/extra /additionalProperties",
            ])
        #expect(found[0].message == ##"string does not match the pattern "^[A-Z0-9]+$""##)
        #expect(found[3].message == ##"value is not one of the allowed values: "kg", "g""##)
        #expect(found[4].message == ##"property "extra" is not allowed here"##)
    }

    @Test func messagesNeverQuoteInstanceValues() throws {
        let secret = "SECRET-99"
        let found = try errors(
            Self.quantitySchema, ##"{"sku": "\##(secret)", "qty": {"amount": "\##(secret)"}}"##)
        #expect(!found.isEmpty)
        for error in found { #expect(!error.message.contains(secret)) }
    }

    @Test func missingRequiredAndWrongType() throws {
        let found = try errors(Self.quantitySchema, ##"{"qty": 5}"##)
        #expect(
            found.map(\.message) == [##"required property "sku" is missing"##, "expected an object, found a number"])
        #expect(found.map(\.schemaPointer.description) == ["/required", "/$defs/quantity/type"])
        #expect(
            try errors(##"{"type": "integer"}"##, "1.5").first?.message
                == "expected an integer, found a number with a fractional part")
        #expect(
            try errors(##"{"type": ["string", "null"]}"##, "[]").first?.message
                == "expected a string or null, found an array")
    }

    @Test func integerTypeAcceptsIntegralDecimals() throws {
        let integer = try schema(##"{"type": "integer"}"##)
        for text in ["1", "1.0", "1e2", "-0.0", "12345678901234567890123456789012345678901234567890"] {
            #expect(integer.isValid(try JSONValue.parse(text)), "\(text)")
        }
        for text in ["1.5", "1e-2", "\"1\"", "true"] {
            #expect(!integer.isValid(try JSONValue.parse(text)), "\(text)")
        }
    }

    @Test func exactNumericBounds() throws {
        let bounded = try schema(##"{"exclusiveMinimum": 0.1, "maximum": 100000000000000000000000000000}"##)
        #expect(!bounded.isValid(try JSONValue.parse("0.1")))
        #expect(bounded.isValid(try JSONValue.parse("0.10000000000000000000000000001")))
        #expect(bounded.isValid(try JSONValue.parse("1e29")))
        #expect(!bounded.isValid(try JSONValue.parse("100000000000000000000000000000.000001")))
        let money = try schema(##"{"multipleOf": 0.01}"##)
        #expect(money.isValid(try JSONValue.parse("19.99")))
        #expect(!money.isValid(try JSONValue.parse("19.999")))
    }

    @Test func constEnumAndUniqueItemsUseJSONEquality() throws {
        #expect(try errors(##"{"const": {"a": [1, 2.0]}}"##, ##"{"a": [1.0, 2]}"##).isEmpty)
        #expect(try !errors(##"{"const": 1}"##, "true").isEmpty)
        #expect(try !errors(##"{"enum": [[false]]}"##, "[0]").isEmpty)
        let unique = try errors(##"{"uniqueItems": true}"##, ##"[{"a": 1}, 2, {"a": 1.0}]"##)
        #expect(unique.map(\.message) == ["items 0 and 2 are equal; items must be unique"])
        #expect(try errors(##"{"uniqueItems": true}"##, ##"[1, true, "1", [1], {"1": 1}]"##).isEmpty)
    }

    @Test func lengthsCountCodePoints() throws {
        let two = try schema(##"{"minLength": 2, "maxLength": 2}"##)
        #expect(two.isValid(.string("😀😀")))
        #expect(two.isValid(.string("e\u{301}")))  // one grapheme, two code points
        #expect(!two.isValid(.string("é")))
    }

    @Test func patternsSearchUnanchoredWithECMADigits() throws {
        #expect(try schema(##"{"pattern": "a+"}"##).isValid(.string("xxaxx")))
        #expect(try !schema(##"{"pattern": "^\\d+$"}"##).isValid(.string("١٢")))
        #expect(try schema(##"{"pattern": "^\\p{Letter}+$"}"##).isValid(.string("héllo")))
        #expect(try !schema(##"{"pattern": "^a$"}"##).isValid(.string("a\n")))
    }

    @Test func itemsAndPrefixItems() throws {
        let found = try errors(##"{"prefixItems": [{"type": "string"}], "items": false}"##, ##"["a", 1, 2]"##)
        #expect(found.count == 1)
        #expect(found[0].instancePointer == ["1"])
        #expect(found[0].schemaPointer == ["items"])
        #expect(found[0].message == "item 1 is not allowed: the array may hold at most 1 item")
        let typed = try errors(
            ##"{"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}"##, ##"["a", 1, "b"]"##)
        #expect(typed.map(\.instancePointer.description) == ["/2"])
    }

    @Test func combinators() throws {
        let oneOf = try schema(##"{"oneOf": [{"type": "integer"}, {"minimum": 2}]}"##)
        #expect(oneOf.isValid(.number(JSONNumber(1))))
        #expect(oneOf.isValid(.number(JSONNumber("2.5")!)))
        #expect(
            oneOf.validate(.number(JSONNumber(3))).first?.message
                == "value matches more than one alternative in oneOf (0 and 1); exactly one must match")
        let conditional = try schema(
            ##"{"if": {"type": "string"}, "then": {"maxLength": 2}, "else": {"type": "null"}}"##)
        #expect(conditional.validate(.string("abc")).first?.schemaPointer == ["then", "maxLength"])
        #expect(conditional.validate(.number(JSONNumber(1))).first?.schemaPointer == ["else", "type"])
        #expect(try schema(##"{"not": {"type": "null"}}"##).validate(.null).first?.schemaPointer == ["not"])
        #expect(
            try schema(##"{"anyOf": [{"type": "null"}, false]}"##).validate(.bool(true)).first?.schemaPointer
                == ["anyOf"])
    }

    @Test func formats() throws {
        let dateTime = try schema(##"{"format": "date-time"}"##)
        for valid in [
            "1963-06-19T08:30:06.283185Z", "1990-12-31T15:59:60-08:00", "2024-02-29t00:00:00+01:00",
            "1998-12-31T23:59:60Z",
        ] {
            #expect(dateTime.isValid(.string(valid)), "\(valid)")
        }
        for invalid in [
            "1990-02-31T15:59:59.123-08:00", "1998-12-31T23:58:60Z", "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00+0100", "2024-01-01T00:00:00.Z",
            "२०२४-01-01T00:00:00Z",
        ] {
            #expect(!dateTime.isValid(.string(invalid)), "\(invalid)")
        }
        #expect(dateTime.isValid(.number(JSONNumber(12))))  // formats only constrain strings
        let date = try schema(##"{"format": "date"}"##)
        #expect(date.isValid(.string("2000-02-29")))
        #expect(!date.isValid(.string("1900-02-29")))
        #expect(!date.isValid(.string("2024-1-01")))
        #expect(!date.isValid(.string("2024-13-01")))
    }

    @Test func referencesToEscapedAndNonDefsLocations() throws {
        let escaped = try schema(
            ##"{"$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "string"}, "e%f": {"type": "null"}},"##
                + ##""properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"}, "##
                + ##""z": {"$ref": "#/$defs/e%25f"}}}"##
        )
        #expect(escaped.isValid(try JSONValue.parse(##"{"x": 1, "y": "s", "z": null}"##)))
        #expect(
            escaped.validate(try JSONValue.parse(##"{"x": "s"}"##)).first?.schemaPointer.description
                == "/$defs/a~1b/type")
        let tree = try schema(
            ##"{"type": "object", "properties": {"child": {"$ref": "#"}, "n": {"type": "integer"}}}"##)
        #expect(
            tree.validate(try JSONValue.parse(##"{"child": {"child": {"n": "x"}}}"##)).first?.instancePointer
                == ["child", "child", "n"])
    }

    @Test func costlySchemasStopInsteadOfHanging() throws {
        // Each level doubles the work: 2^40 evaluations without a budget.
        var defs: [String] = []
        for level in 0..<40 {
            defs.append(
                ##""d\##(level)": {"anyOf": [{"$ref": "#/$defs/d\##(level + 1)"}, "##
                    + ##"{"$ref": "#/$defs/d\##(level + 1)"}]}"##
            )
        }
        defs.append(##""d40": {"type": "string"}"##)
        let costly = try schema(##"{"$defs": {\##(defs.joined(separator: ","))}, "$ref": "#/$defs/d0"}"##)
        let validator = SchemaValidator(limits: .init(maximumDepth: 400, maximumSteps: 10_000))
        let found = validator.validate(.number(JSONNumber(1)), against: costly)
        #expect(found.last?.message.hasPrefix("validation stopped after 10000 steps") == true)
        #expect(!validator.isValid(.null, against: costly))
        // Values that succeed early stay cheap.
        #expect(validator.isValid(.string("s"), against: costly))
    }

    @Test func deepRecursionStopsAtTheDepthLimit() throws {
        let nested = try schema(##"{"items": {"$ref": "#"}, "type": "array"}"##)
        var value = JSONValue.array([])
        for _ in 0..<255 { value = .array([value]) }
        #expect(nested.isValid(value))
        #expect(nested.validate(value).isEmpty)
        let shallow = SchemaValidator(limits: .init(maximumDepth: 50, maximumSteps: 1_000_000))
        #expect(shallow.validate(value, against: nested).last?.message.contains("deeper than 50") == true)
        // Eight in-place levels per array level: the default limit (2000) stops it, the stack holds.
        let layered = try schema(
            ##"{"$defs": {"a": {"allOf": [{"anyOf": [{"oneOf": [{"$ref": "#/$defs/b"}]}]}]}, "##
                + ##""b": {"not": {"not": {"items": {"$ref": "#/$defs/a"}}}}}, "$ref": "#/$defs/a"}"##)
        #expect(layered.validate(value).last?.message.contains("deeper than 2000") == true)
    }
}
