// libFuzzer entry point. Build and run (see NOTES.md):
//   swift build --sanitize=fuzzer -Xswiftc -parse-as-library --product FuzzSchema --scratch-path .build-fuzz
//   SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzSchema Tests/Fuzz/Corpus/schema
// Without -parse-as-library this file compiles to an executable that does nothing.
import ScanBridgePayloads

let fuzzSchemaText = #"""
    {"$schema": "https://json-schema.org/draft/2020-12/schema",
     "$defs": {
       "quantity": {"type": "object", "required": ["amount", "unit"],
                    "properties": {"amount": {"type": ["number", "string"], "minimum": 0, "maximum": 1e9,
                                              "multipleOf": 0.001, "pattern": "^[0-9]+(\\.[0-9]+)?$"},
                                   "unit": {"enum": ["kg", "g", "cm", null]}},
                    "additionalProperties": false},
       "node": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"$ref": "#/$defs/node"}}]}
     },
     "type": "object",
     "properties": {
       "sku": {"type": "string", "minLength": 1, "maxLength": 32, "pattern": "^[A-Z0-9-]+$"},
       "qty": {"oneOf": [{"$ref": "#/$defs/quantity"}, {"type": "integer", "exclusiveMinimum": 0}]},
       "at": {"format": "date-time"},
       "day": {"format": "date"},
       "tags": {"type": "array", "prefixItems": [{"const": "first"}], "items": {"type": "string"},
                "uniqueItems": true, "minItems": 1, "maxItems": 8},
       "tree": {"$ref": "#/$defs/node"},
       "flag": {"not": {"const": false}},
       "kind": {"if": {"const": "rfid"}, "then": {"const": "rfid"}, "else": {"type": "string", "maxLength": 8}},
       "rest": {"allOf": [{"exclusiveMaximum": 100}, {"multipleOf": 2.5}]}
     },
     "patternProperties": {"^x-": true},
     "additionalProperties": {"type": ["null", "boolean"]}}
    """#

let fuzzSchema = try! JSONSchema(json: Array(fuzzSchemaText.utf8))
let fuzzLimits = SchemaValidator(limits: SchemaValidator.Limits(maximumDepth: 200, maximumSteps: 20_000))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    // The parsed value must survive a serialise → parse round trip unchanged.
    let again = try! JSONValue.parse(value.serializedBytes())
    precondition(again == value, "round trip changed the value")
    let errors = fuzzLimits.validate(value, against: fuzzSchema)
    precondition(errors.isEmpty == fuzzLimits.isValid(value, against: fuzzSchema), "validate and isValid disagree")
    _ = StructuralFingerprint(value)
    checkNumbers(in: value)
    // The same bytes as a schema: compiling must refuse or succeed, never crash; a compiled
    // schema is then applied to a few values and to itself.
    if let schema = try? JSONSchema(value) {
        for instance in [value, .null, .number(JSONNumber(7)), .string("2024-02-29"), .array([.bool(true)])] {
            _ = fuzzLimits.validate(instance, against: schema)
        }
    }
    return 0
}

/// Every number's plain decimal form and shifted value must be the same number.
func checkNumbers(in value: JSONValue) {
    switch value {
    case .number(let number):
        if let plain = number.plainDecimal(maximumLength: 2000) {
            precondition(JSONNumber(plain) == number, "plain decimal changed the number")
        }
        if let shifted = number.shifted(byPowerOfTen: 3), let back = shifted.shifted(byPowerOfTen: -3) {
            precondition(back == number, "shifting changed the number")
        }
        precondition(JSONNumber(number.canonicalLiteral) == number, "canonical literal changed the number")
    case .array(let items):
        for item in items { checkNumbers(in: item) }
    case .object(let object):
        for member in object { checkNumbers(in: member.value) }
    default:
        break
    }
}
