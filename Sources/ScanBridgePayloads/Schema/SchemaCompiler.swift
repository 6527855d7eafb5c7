/// Turns a schema document into `SchemaNode`s, refusing anything outside the subset.
struct SchemaCompiler {
    let document: JSONValue
    private var nodes: [SchemaNode] = []
    private var nodeAtLocation: [JSONPointer: Int] = [:]
    private var pendingReferences: [(node: Int, reference: String, keywordLocation: JSONPointer)] = []

    init(document: JSONValue) {
        self.document = document
    }

    static let dialects: Set<String> = [
        "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#",
    ]
    static let annotations: Set<String> = [
        "$comment", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
    ]

    /// Compiles the root and everything reachable from it; node 0 is the root.
    mutating func compileDocument() throws(SchemaLoadError) -> [SchemaNode] {
        _ = try compile(document, at: .root)
        while let pending = pendingReferences.popLast() {
            let target = try resolve(pending.reference, at: pending.keywordLocation)
            guard case .keywords(let compiled) = nodes[pending.node].body else { continue }
            var keywords = compiled.keywords
            keywords.ref = target
            nodes[pending.node].body = .keywords(CompiledKeywords(keywords))
        }
        try refuseCycles()
        return nodes
    }

    private mutating func resolve(_ reference: String, at location: JSONPointer) throws(SchemaLoadError) -> Int {
        guard reference.hasPrefix("#") else { throw SchemaLoadError(.unsupportedReference(reference), at: location) }
        let pointer: JSONPointer
        do {
            pointer = try JSONPointer(uriFragment: reference)
        } catch {
            // "#name" is an anchor reference; anchors are not supported.
            throw SchemaLoadError(.unsupportedReference(reference), at: location)
        }
        if let node = nodeAtLocation[pointer] { return node }
        guard let target = pointer.resolve(in: document) else {
            throw SchemaLoadError(.unresolvableReference(reference), at: location)
        }
        return try compile(target, at: pointer)
    }

    private mutating func compile(_ value: JSONValue, at location: JSONPointer) throws(SchemaLoadError) -> Int {
        if let existing = nodeAtLocation[location] { return existing }
        let index = nodes.count
        nodeAtLocation[location] = index
        switch value {
        case .bool(let flag):
            nodes.append(SchemaNode(location: location, body: .boolean(flag)))
        case .object(let object):
            nodes.append(SchemaNode(location: location, body: .boolean(true)))
            let keywords = try compileKeywords(object, at: location, node: index)
            nodes[index].body = .keywords(CompiledKeywords(keywords))
        default:
            throw SchemaLoadError(.notASchema, at: location)
        }
        return index
    }

    private mutating func compileKeywords(
        _ object: JSONObject, at location: JSONPointer, node: Int
    ) throws(SchemaLoadError) -> SchemaKeywords {
        var keywords = SchemaKeywords()
        for member in object {
            let here = location.appending(member.key)
            let value = member.value
            switch member.key {
            case "type":
                keywords.types = try Self.types(value, at: here)
            case "enum":
                guard case .array(let values) = value else { throw invalid("enum", "an array", here) }
                keywords.enumValues = values
            case "const":
                keywords.constValue = value
            case "properties":
                for (name, subschema) in try Self.schemaMap(value, keyword: "properties", at: here) {
                    keywords.properties[ExactKey(name)] = try compile(subschema, at: here.appending(name))
                }
            case "patternProperties":
                for (source, subschema) in try Self.schemaMap(value, keyword: "patternProperties", at: here) {
                    let pattern = try Self.pattern(source, at: here)
                    keywords.patternProperties.append((pattern, try compile(subschema, at: here.appending(source))))
                }
            case "additionalProperties":
                keywords.additionalProperties = try compile(value, at: here)
            case "required":
                guard case .array(let names) = value else { throw invalid("required", "an array of strings", here) }
                for name in names {
                    guard case .string(let text) = name else { throw invalid("required", "an array of strings", here) }
                    keywords.required.append(text)
                }
            case "prefixItems":
                keywords.prefixItems = try compileList(value, keyword: "prefixItems", at: here)
            case "items":
                keywords.items = try compile(value, at: here)
            case "minItems": keywords.minItems = try Self.count(value, keyword: "minItems", at: here)
            case "maxItems": keywords.maxItems = try Self.count(value, keyword: "maxItems", at: here)
            case "minLength": keywords.minLength = try Self.count(value, keyword: "minLength", at: here)
            case "maxLength": keywords.maxLength = try Self.count(value, keyword: "maxLength", at: here)
            case "uniqueItems":
                guard case .bool(let flag) = value else { throw invalid("uniqueItems", "true or false", here) }
                keywords.uniqueItems = flag
            case "minimum": keywords.minimum = try Self.number(value, keyword: "minimum", at: here)
            case "maximum": keywords.maximum = try Self.number(value, keyword: "maximum", at: here)
            case "exclusiveMinimum":
                keywords.exclusiveMinimum = try Self.number(value, keyword: "exclusiveMinimum", at: here)
            case "exclusiveMaximum":
                keywords.exclusiveMaximum = try Self.number(value, keyword: "exclusiveMaximum", at: here)
            case "multipleOf":
                let divisor = try Self.number(value, keyword: "multipleOf", at: here)
                guard divisor.signum > 0 else { throw invalid("multipleOf", "a number greater than 0", here) }
                keywords.multipleOf = divisor
            case "pattern":
                guard case .string(let source) = value else { throw invalid("pattern", "a string", here) }
                keywords.pattern = try Self.pattern(source, at: here)
            case "format":
                guard case .string(let name) = value else { throw invalid("format", "a string", here) }
                guard let format = SchemaFormat(rawValue: name) else {
                    throw SchemaLoadError(.unsupportedFormat(name), at: here)
                }
                keywords.format = format
            case "allOf": keywords.allOf = try compileList(value, keyword: "allOf", at: here)
            case "anyOf": keywords.anyOf = try compileList(value, keyword: "anyOf", at: here)
            case "oneOf": keywords.oneOf = try compileList(value, keyword: "oneOf", at: here)
            case "not": keywords.not = try compile(value, at: here)
            case "if": keywords.ifNode = try compile(value, at: here)
            case "then": keywords.thenNode = try compile(value, at: here)
            case "else": keywords.elseNode = try compile(value, at: here)
            case "$ref":
                guard case .string(let reference) = value else { throw invalid("$ref", "a string", here) }
                keywords.refText = reference
                pendingReferences.append((node, reference, here))
            case "$defs":
                for (name, subschema) in try Self.schemaMap(value, keyword: "$defs", at: here) {
                    _ = try compile(subschema, at: here.appending(name))
                }
            case "$schema":
                guard case .string(let dialect) = value, Self.dialects.contains(dialect) else {
                    throw SchemaLoadError(.unsupportedDialect(value.serialized()), at: here)
                }
            case let name where Self.annotations.contains(name):
                break
            default:
                throw SchemaLoadError(.unsupportedKeyword(member.key), at: location)
            }
        }
        return keywords
    }

    private func invalid(_ keyword: String, _ expected: String, _ location: JSONPointer) -> SchemaLoadError {
        SchemaLoadError(.invalidKeywordValue(keyword: keyword, expected: expected), at: location)
    }

    private mutating func compileList(
        _ value: JSONValue, keyword: String, at location: JSONPointer
    ) throws(SchemaLoadError) -> [Int] {
        guard case .array(let schemas) = value, !schemas.isEmpty else {
            throw invalid(keyword, "a non-empty array of schemas", location)
        }
        var result: [Int] = []
        for (index, schema) in schemas.enumerated() {
            result.append(try compile(schema, at: location.appending(index: index)))
        }
        return result
    }

    private static func schemaMap(
        _ value: JSONValue, keyword: String, at location: JSONPointer
    ) throws(SchemaLoadError) -> [(String, JSONValue)] {
        guard case .object(let object) = value else {
            throw SchemaLoadError(
                .invalidKeywordValue(keyword: keyword, expected: "an object of schemas"), at: location)
        }
        return object.members.map { ($0.key, $0.value) }
    }

    private static func types(_ value: JSONValue, at location: JSONPointer) throws(SchemaLoadError) -> [SchemaType] {
        let expected =
            "a type name or an array of distinct type names (null, boolean, object, array, number, "
            + "string, integer)"
        let names: [JSONValue]
        switch value {
        case .string: names = [value]
        case .array(let items): names = items
        default: throw SchemaLoadError(.invalidKeywordValue(keyword: "type", expected: expected), at: location)
        }
        var types: [SchemaType] = []
        for name in names {
            guard case .string(let text) = name, let type = SchemaType(rawValue: text), !types.contains(type) else {
                throw SchemaLoadError(.invalidKeywordValue(keyword: "type", expected: expected), at: location)
            }
            types.append(type)
        }
        return types
    }

    private static func count(_ value: JSONValue, keyword: String, at location: JSONPointer) throws(SchemaLoadError)
        -> Int
    {
        guard case .number(let number) = value, number.isInteger, number.signum >= 0 else {
            throw SchemaLoadError(
                .invalidKeywordValue(keyword: keyword, expected: "a non-negative integer"), at: location)
        }
        // Beyond Int, no real array or string can reach the bound.
        return number.exactInt ?? Int.max
    }

    private static func number(_ value: JSONValue, keyword: String, at location: JSONPointer) throws(SchemaLoadError)
        -> JSONNumber
    {
        guard case .number(let number) = value else {
            throw SchemaLoadError(.invalidKeywordValue(keyword: keyword, expected: "a number"), at: location)
        }
        return number
    }

    private static func pattern(_ source: String, at location: JSONPointer) throws(SchemaLoadError) -> ECMAPattern {
        do {
            return try ECMAPattern(source)
        } catch {
            throw SchemaLoadError(.invalidPattern(pattern: source, problem: error.problem), at: location)
        }
    }

    /// Refuses `$ref` loops that never descend into the instance (evaluation would not end).
    /// Edges are the applicators that stay at the same instance location.
    private func refuseCycles() throws(SchemaLoadError) {
        func sameLocationEdges(_ node: Int) -> [Int] {
            guard case .keywords(let compiled) = nodes[node].body else { return [] }
            let keywords = compiled.keywords
            var edges = keywords.allOf + (keywords.anyOf ?? []) + (keywords.oneOf ?? [])
            for optional in [keywords.not, keywords.ifNode, keywords.thenNode, keywords.elseNode, keywords.ref] {
                if let next = optional { edges.append(next) }
            }
            return edges
        }
        enum Mark { case unvisited, active, done }
        var marks = [Mark](repeating: .unvisited, count: nodes.count)
        for start in nodes.indices where marks[start] == .unvisited {
            // Iterative depth-first search: a deep chain of $refs must not exhaust the stack.
            var stack: [(node: Int, edges: [Int], next: Int)] = [(start, sameLocationEdges(start), 0)]
            marks[start] = .active
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next == stack[top].edges.count {
                    marks[stack[top].node] = .done
                    stack.removeLast()
                    continue
                }
                let next = stack[top].edges[stack[top].next]
                stack[top].next += 1
                switch marks[next] {
                case .active:
                    // Name a $ref on the cycle: the loop necessarily goes through one.
                    let onCycle = stack.map(\.node).drop { $0 != next }
                    for member in onCycle {
                        if case .keywords(let compiled) = nodes[member].body, let text = compiled.keywords.refText {
                            throw SchemaLoadError(
                                .circularReference(text), at: nodes[member].location.appending("$ref"))
                        }
                    }
                    throw SchemaLoadError(.circularReference("#"), at: nodes[next].location)
                case .unvisited:
                    marks[next] = .active
                    stack.append((next, sameLocationEdges(next), 0))
                case .done:
                    break
                }
            }
        }
    }
}
