/// A compiled JSON Schema (2020-12), limited to the subset payload contracts need.
///
/// Loading refuses every keyword outside the subset, naming it and the JSON Pointer of the
/// schema object that uses it: a keyword scanbridge does not check must never look as if it
/// were checked. The subset:
///
/// - assertions: `type`, `enum`, `const`, `required`, `minItems`, `maxItems`, `uniqueItems`,
///   `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minLength`,
///   `maxLength` (Unicode code points), `pattern` (unanchored search), `format` (`date-time`
///   and `date` only, asserted);
/// - applicators: `properties`, `patternProperties`, `additionalProperties`, `prefixItems`,
///   `items`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `$ref` to a JSON Pointer
///   fragment within the same document (`#`, `#/$defs/x`), `$defs`;
/// - annotations, accepted and ignored: `$schema` (2020-12 only), `$comment`, `title`,
///   `description`, `default`, `examples`, `deprecated`, `readOnly`, `writeOnly`;
/// - boolean schemas `true` and `false`.
///
/// `$id`, `$anchor`, `$dynamicRef` and references to other documents are refused.
public struct JSONSchema: Sendable, CustomStringConvertible {
    /// The schema document as loaded.
    public let document: JSONValue
    let nodes: [SchemaNode]
    static let rootNode = 0

    /// Compiles a schema document.
    public init(_ document: JSONValue) throws(SchemaLoadError) {
        var compiler = SchemaCompiler(document: document)
        self.nodes = try compiler.compileDocument()
        self.document = document
    }

    /// Parses and compiles a schema from JSON bytes.
    public init(json bytes: some Collection<UInt8>, limits: JSONParsingLimits = .default) throws(SchemaLoadError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes, limits: limits)
        } catch {
            throw SchemaLoadError(.notJSON(error), at: .root)
        }
        try self.init(document)
    }

    /// Checks an instance; an empty list means it is valid. Errors come in document order of
    /// the schema's keywords and the instance's members.
    public func validate(_ instance: JSONValue) -> [SchemaValidationError] {
        SchemaValidator().validate(instance, against: self)
    }

    /// The schema document, shortened.
    public var description: String {
        let text = document.serialized()
        return "JSONSchema(" + (text.count <= 200 ? text : String(text.prefix(199)) + "…") + ")"
    }

    /// Whether the instance is valid (stops at the first problem).
    public func isValid(_ instance: JSONValue) -> Bool {
        SchemaValidator().isValid(instance, against: self)
    }
}

/// Why a schema cannot be loaded, with the JSON Pointer of the schema location concerned.
public struct SchemaLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The document is not JSON.
        case notJSON(JSONParseError)
        /// A keyword outside the supported subset (the pointer names the schema object).
        case unsupportedKeyword(String)
        /// A keyword whose value has the wrong form (the pointer names the keyword).
        case invalidKeywordValue(keyword: String, expected: String)
        /// A value in a schema position that is neither an object nor a boolean.
        case notASchema
        /// A `$ref` that does not point into this document.
        case unsupportedReference(String)
        /// A `$ref` whose target does not exist.
        case unresolvableReference(String)
        /// `$ref`s (with `allOf`/`anyOf`/… between them) that lead back to themselves without
        /// moving into the instance, so evaluating them would never end.
        case circularReference(String)
        /// A `format` other than `date-time` and `date`.
        case unsupportedFormat(String)
        /// A `$schema` other than 2020-12.
        case unsupportedDialect(String)
        /// A `pattern` or `patternProperties` key that is not a usable regular expression.
        case invalidPattern(pattern: String, problem: String)
    }

    public let reason: Reason
    /// Where in the schema document.
    public let pointer: JSONPointer

    public init(_ reason: Reason, at pointer: JSONPointer) {
        self.reason = reason
        self.pointer = pointer
    }

    public var description: String {
        let place = pointer.isRoot ? "the schema root" : pointer.description
        func quoted(_ text: String) -> String { JSONValue.string(text).serialized() }
        switch reason {
        case .notJSON(let error):
            return "schema is not valid JSON: \(error)"
        case .unsupportedKeyword(let keyword):
            var text = "unsupported keyword \(quoted(keyword)) at \(place)"
            if ["$id", "$anchor", "$dynamicRef", "$dynamicAnchor"].contains(keyword) {
                text += " (schema identifiers are not supported; use \"$ref\": \"#/$defs/…\")"
            }
            return text
        case .invalidKeywordValue(let keyword, let expected):
            return "invalid value for \(quoted(keyword)) at \(place): expected \(expected)"
        case .notASchema:
            return "not a schema at \(place): expected an object or a boolean"
        case .unsupportedReference(let reference):
            return "unsupported reference \(quoted(reference)) at \(place): only references within the document "
                + "(\"#\" or \"#/…\") are supported"
        case .unresolvableReference(let reference):
            return "unresolvable reference \(quoted(reference)) at \(place): the document has nothing there"
        case .circularReference(let reference):
            return "circular reference \(quoted(reference)) at \(place): it leads back to itself "
                + "without descending into the instance"
        case .unsupportedFormat(let format):
            return "unsupported format \(quoted(format)) at \(place): only \"date-time\" and \"date\" are checked"
        case .unsupportedDialect(let dialect):
            return "unsupported $schema \(quoted(dialect)) at \(place): only "
                + "\"https://json-schema.org/draft/2020-12/schema\" is supported"
        case .invalidPattern(let pattern, let problem):
            return "invalid regular expression \(quoted(pattern)) at \(place): \(problem)"
        }
    }
}

/// One way an instance fails its schema.
public struct SchemaValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance (the value that failed).
    public let instancePointer: JSONPointer
    /// Which keyword failed, as a pointer into the schema document (after following `$ref`s,
    /// so it names the keyword where it is written).
    public let schemaPointer: JSONPointer
    /// What is wrong, in plain words. Messages never quote the instance's values (they may
    /// travel upstream in quarantine events); they may quote the schema's.
    public let message: String

    public init(instancePointer: JSONPointer, schemaPointer: JSONPointer, message: String) {
        self.instancePointer = instancePointer
        self.schemaPointer = schemaPointer
        self.message = message
    }

    public var description: String {
        let place = instancePointer.isRoot ? "the value" : instancePointer.description
        return "\(place): \(message) (schema \(schemaPointer.isRoot ? "root" : schemaPointer.description))"
    }
}

/// A compiled schema location.
struct SchemaNode: Sendable {
    enum Body: Sendable {
        case boolean(Bool)
        case keywords(CompiledKeywords)
    }

    let location: JSONPointer
    var body: Body
}

/// JSON Schema's instance types, `integer` included.
enum SchemaType: String, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer

    func admits(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.number, .number),
            (.string, .string):
            true
        case (.integer, .number(let number)): number.isInteger
        default: false
        }
    }
}

/// Compiled keywords behind a reference, so evaluation frames stay small (deep recursion) and
/// cheap to pass.
final class CompiledKeywords: Sendable {
    let keywords: SchemaKeywords

    init(_ keywords: SchemaKeywords) {
        self.keywords = keywords
    }
}

/// The keywords of one schema object, compiled. Subschemas are node indexes.
struct SchemaKeywords: Sendable {
    var types: [SchemaType]?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?
    var properties: [ExactKey: Int] = [:]
    var required: [String] = []
    var additionalProperties: Int?
    var patternProperties: [(pattern: ECMAPattern, node: Int)] = []
    var prefixItems: [Int] = []
    var items: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var minimum: JSONNumber?
    var maximum: JSONNumber?
    var exclusiveMinimum: JSONNumber?
    var exclusiveMaximum: JSONNumber?
    var multipleOf: JSONNumber?
    var minLength: Int?
    var maxLength: Int?
    var pattern: ECMAPattern?
    var format: SchemaFormat?
    var allOf: [Int] = []
    var anyOf: [Int]?
    var oneOf: [Int]?
    var not: Int?
    var ifNode: Int?
    var thenNode: Int?
    var elseNode: Int?
    var ref: Int?
    /// The written `$ref`, for error messages.
    var refText: String?

    var hasObjectKeywords: Bool {
        !properties.isEmpty || !required.isEmpty || additionalProperties != nil || !patternProperties.isEmpty
    }
}
