/// Checks JSON values against compiled schemas.
///
/// Evaluation is bounded: a nesting depth and a step budget stop schemas whose cost grows
/// exponentially (for example `anyOf` over `$ref`s over `anyOf`…); hitting a bound reports
/// the instance as invalid with an error that says so. Reference loops that never descend
/// into the instance are refused when the schema is loaded.
public struct SchemaValidator: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Deepest nesting of subschema evaluations.
        public var maximumDepth: Int
        /// Most subschema evaluations for one instance.
        public var maximumSteps: Int

        public init(maximumDepth: Int = 2000, maximumSteps: Int = 5_000_000) {
            self.maximumDepth = maximumDepth
            self.maximumSteps = maximumSteps
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Every error found; empty when the instance is valid.
    public func validate(_ instance: JSONValue, against schema: JSONSchema) -> [SchemaValidationError] {
        var evaluation = SchemaEvaluation(nodes: schema.nodes, limits: limits)
        _ = evaluation.evaluate(JSONSchema.rootNode, instance, collecting: true)
        return evaluation.finish()
    }

    /// Whether the instance is valid; stops at the first error.
    public func isValid(_ instance: JSONValue, against schema: JSONSchema) -> Bool {
        var evaluation = SchemaEvaluation(nodes: schema.nodes, limits: limits)
        let valid = evaluation.evaluate(JSONSchema.rootNode, instance, collecting: false)
        return valid && evaluation.finish().isEmpty
    }
}

/// One validation run: the instance path so far, errors, and the budget.
struct SchemaEvaluation {
    let nodes: [SchemaNode]
    let limits: SchemaValidator.Limits
    private var path: [String] = []
    private var errors: [SchemaValidationError] = []
    private var steps = 0
    private var depth = 0
    private var limitError: SchemaValidationError?

    init(nodes: [SchemaNode], limits: SchemaValidator.Limits) {
        self.nodes = nodes
        self.limits = limits
    }

    mutating func finish() -> [SchemaValidationError] {
        if let limitError { errors.append(limitError) }
        return errors
    }

    private mutating func report(_ node: Int, _ keyword: String?, _ message: String, collecting: Bool) {
        guard collecting else { return }
        let location = nodes[node].location
        errors.append(
            SchemaValidationError(
                instancePointer: JSONPointer(tokens: path),
                schemaPointer: keyword.map { location.appending($0) } ?? location,
                message: message))
    }

    private mutating func stop(_ node: Int, _ message: String) {
        if limitError == nil {
            limitError = SchemaValidationError(
                instancePointer: JSONPointer(tokens: path), schemaPointer: nodes[node].location, message: message)
        }
    }

    /// Evaluates `node` against `instance`; with `collecting` false it only answers (and stops
    /// at the first failure).
    mutating func evaluate(_ node: Int, _ instance: JSONValue, collecting: Bool) -> Bool {
        if limitError != nil { return false }
        steps += 1
        if steps > limits.maximumSteps {
            stop(node, "validation stopped after \(limits.maximumSteps) steps: the schema is too costly for this value")
            return false
        }
        if depth >= limits.maximumDepth {
            stop(node, "validation stopped: subschemas nest deeper than \(limits.maximumDepth) levels")
            return false
        }
        depth += 1
        defer { depth -= 1 }
        switch nodes[node].body {
        case .boolean(true):
            return true
        case .boolean(false):
            report(node, nil, "no value is allowed here (the schema is false)", collecting: collecting)
            return false
        case .keywords(let compiled):
            return evaluate(compiled, node, instance, collecting: collecting)
        }
    }

    private mutating func evaluate(
        _ compiled: CompiledKeywords, _ node: Int, _ instance: JSONValue, collecting: Bool
    ) -> Bool {
        var valid = true
        // Each check: on failure, note it, and stop early when only the answer is wanted.
        if let reference = compiled.keywords.ref, !evaluate(reference, instance, collecting: collecting) {
            valid = false
            if !collecting { return false }
        }
        if let types = compiled.keywords.types, !types.contains(where: { $0.admits(instance) }) {
            report(node, "type", Self.typeMessage(types, instance), collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        if let allowed = compiled.keywords.enumValues, !allowed.contains(instance) {
            report(node, "enum", Self.enumMessage(allowed), collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        if let constant = compiled.keywords.constValue, constant != instance {
            report(node, "const", "value is not the required constant \(Self.render(constant))", collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        let typed: Bool
        switch instance {
        case .object(let object): typed = evaluateObject(compiled, node, object, collecting: collecting)
        case .array(let items): typed = evaluateArray(compiled, node, items, collecting: collecting)
        case .number(let number): typed = evaluateNumber(compiled, node, number, collecting: collecting)
        case .string(let string): typed = evaluateString(compiled, node, string, collecting: collecting)
        case .null, .bool: typed = true
        }
        if !typed {
            valid = false
            if !collecting { return false }
        }
        if !evaluateCombinators(compiled, node, instance, collecting: collecting) {
            valid = false
        }
        return valid
    }

    private mutating func evaluateCombinators(
        _ compiled: CompiledKeywords, _ node: Int, _ instance: JSONValue, collecting: Bool
    ) -> Bool {
        var valid = true
        for subschema in compiled.keywords.allOf where !evaluate(subschema, instance, collecting: collecting) {
            valid = false
            if !collecting { return false }
        }
        if let alternatives = compiled.keywords.anyOf,
            !alternatives.contains(where: { evaluate($0, instance, collecting: false) })
        {
            report(
                node, "anyOf", "value matches none of the \(alternatives.count) alternatives in anyOf",
                collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        if let alternatives = compiled.keywords.oneOf {
            var matching: [Int] = []
            for (index, alternative) in alternatives.enumerated()
            where evaluate(alternative, instance, collecting: false) {
                matching.append(index)
                if matching.count == 2 { break }
            }
            if matching.count != 1 {
                let message =
                    matching.isEmpty
                    ? "value matches none of the \(alternatives.count) alternatives in oneOf"
                    : "value matches more than one alternative in oneOf (\(matching[0]) and \(matching[1])); "
                        + "exactly one must match"
                report(node, "oneOf", message, collecting: collecting)
                valid = false
                if !collecting { return false }
            }
        }
        if let negated = compiled.keywords.not, evaluate(negated, instance, collecting: false) {
            report(node, "not", "value matches the schema under \"not\", which it must not", collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        if let condition = compiled.keywords.ifNode,
            compiled.keywords.thenNode != nil || compiled.keywords.elseNode != nil
        {
            let branch =
                evaluate(condition, instance, collecting: false)
                ? compiled.keywords.thenNode : compiled.keywords.elseNode
            if let branch, !evaluate(branch, instance, collecting: collecting) {
                valid = false
            }
        }
        return valid
    }

    private mutating func evaluateObject(
        _ compiled: CompiledKeywords, _ node: Int, _ object: JSONObject, collecting: Bool
    ) -> Bool {
        var valid = true
        for name in compiled.keywords.required where !object.contains(key: name) {
            report(node, "required", "required property \(Self.quote(name)) is missing", collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        guard compiled.keywords.hasObjectKeywords else { return valid }
        for member in object {
            path.append(member.key)
            defer { path.removeLast() }
            var matched = false
            if let subschema = compiled.keywords.properties[ExactKey(member.key)] {
                matched = true
                if !evaluate(subschema, member.value, collecting: collecting) {
                    valid = false
                    if !collecting { return false }
                }
            }
            for (pattern, subschema) in compiled.keywords.patternProperties where pattern.matches(member.key) {
                matched = true
                if !evaluate(subschema, member.value, collecting: collecting) {
                    valid = false
                    if !collecting { return false }
                }
            }
            if !matched, let additional = compiled.keywords.additionalProperties {
                if case .boolean(false) = nodes[additional].body {
                    report(
                        additional, nil, "property \(Self.quote(member.key)) is not allowed here",
                        collecting: collecting)
                    valid = false
                } else if !evaluate(additional, member.value, collecting: collecting) {
                    valid = false
                }
                if !valid && !collecting { return false }
            }
        }
        return valid
    }

    private mutating func evaluateArray(
        _ compiled: CompiledKeywords, _ node: Int, _ items: [JSONValue], collecting: Bool
    ) -> Bool {
        var valid = true
        if let minimum = compiled.keywords.minItems, items.count < minimum {
            report(
                node, "minItems", "array has \(Self.plural(items.count, "item")); at least \(minimum) required",
                collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        if let maximum = compiled.keywords.maxItems, items.count > maximum {
            report(
                node, "maxItems", "array has \(Self.plural(items.count, "item")); at most \(maximum) allowed",
                collecting: collecting)
            valid = false
            if !collecting { return false }
        }
        if !compiled.keywords.prefixItems.isEmpty || compiled.keywords.items != nil {
            for (index, item) in items.enumerated() {
                let subschema: Int
                if index < compiled.keywords.prefixItems.count {
                    subschema = compiled.keywords.prefixItems[index]
                } else if let rest = compiled.keywords.items {
                    subschema = rest
                } else {
                    break
                }
                path.append(String(index))
                defer { path.removeLast() }
                if case .boolean(false) = nodes[subschema].body, index >= compiled.keywords.prefixItems.count {
                    report(
                        subschema, nil,
                        "item \(index) is not allowed: the array may hold at most "
                            + Self.plural(compiled.keywords.prefixItems.count, "item"),
                        collecting: collecting)
                    valid = false
                    if !collecting { return false }
                    break
                }
                if !evaluate(subschema, item, collecting: collecting) {
                    valid = false
                    if !collecting { return false }
                }
            }
        }
        if compiled.keywords.uniqueItems {
            var firstIndex: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                if let earlier = firstIndex[item] {
                    report(
                        node, "uniqueItems", "items \(earlier) and \(index) are equal; items must be unique",
                        collecting: collecting)
                    valid = false
                    if !collecting { return false }
                    break
                }
                firstIndex[item] = index
            }
        }
        return valid
    }

    private mutating func evaluateNumber(
        _ compiled: CompiledKeywords, _ node: Int, _ number: JSONNumber, collecting: Bool
    ) -> Bool {
        var failures: [(String, String)] = []
        if let bound = compiled.keywords.minimum, number < bound {
            failures.append(("minimum", "number is less than the minimum \(bound)"))
        }
        if let bound = compiled.keywords.maximum, number > bound {
            failures.append(("maximum", "number is greater than the maximum \(bound)"))
        }
        if let bound = compiled.keywords.exclusiveMinimum, number <= bound {
            failures.append(("exclusiveMinimum", "number must be greater than \(bound)"))
        }
        if let bound = compiled.keywords.exclusiveMaximum, number >= bound {
            failures.append(("exclusiveMaximum", "number must be less than \(bound)"))
        }
        if let divisor = compiled.keywords.multipleOf, !number.isMultiple(of: divisor) {
            failures.append(("multipleOf", "number is not a multiple of \(divisor)"))
        }
        for (keyword, message) in failures { report(node, keyword, message, collecting: collecting) }
        return failures.isEmpty
    }

    private mutating func evaluateString(
        _ compiled: CompiledKeywords, _ node: Int, _ string: String, collecting: Bool
    ) -> Bool {
        var failures: [(String, String)] = []
        if compiled.keywords.minLength != nil || compiled.keywords.maxLength != nil {
            let length = string.unicodeScalars.count
            if let minimum = compiled.keywords.minLength, length < minimum {
                failures.append(
                    ("minLength", "string has \(Self.plural(length, "character")); at least \(minimum) required"))
            }
            if let maximum = compiled.keywords.maxLength, length > maximum {
                failures.append(
                    ("maxLength", "string has \(Self.plural(length, "character")); at most \(maximum) allowed"))
            }
        }
        if let pattern = compiled.keywords.pattern, !pattern.matches(string) {
            failures.append(("pattern", "string does not match the pattern \(Self.quote(pattern.source))"))
        }
        if let format = compiled.keywords.format, !format.admits(string) {
            failures.append(("format", "string is not \(format.explanation)"))
        }
        for (keyword, message) in failures { report(node, keyword, message, collecting: collecting) }
        return failures.isEmpty
    }

    // MARK: Messages (never quoting the instance's values)

    private static func quote(_ text: String) -> String {
        JSONValue.string(text).serialized()
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// A schema value, shortened for a message.
    private static func render(_ value: JSONValue) -> String {
        let text = value.serialized()
        return text.unicodeScalars.count <= 60 ? text : String(text.unicodeScalars.prefix(57)) + "…"
    }

    private static func typeMessage(_ types: [SchemaType], _ instance: JSONValue) -> String {
        func article(_ name: String) -> String {
            (["a", "e", "i", "o", "u"].contains(name.first.map(String.init) ?? "") ? "an " : "a ") + name
        }
        let expected = types.map { $0 == .null ? "null" : article($0.rawValue) }
        let list =
            expected.count <= 1
            ? expected.joined() : expected.dropLast().joined(separator: ", ") + " or " + expected.last!
        var found = instance.typeName == "null" ? "null" : article(instance.typeName)
        if case .number(let number) = instance, !number.isInteger { found = "a number with a fractional part" }
        return "expected \(list), found \(found)"
    }

    private static func enumMessage(_ allowed: [JSONValue]) -> String {
        if allowed.isEmpty { return "no value is allowed (the enum is empty)" }
        let listed = allowed.map(render).joined(separator: ", ")
        if allowed.count <= 8 && listed.count <= 120 { return "value is not one of the allowed values: \(listed)" }
        return "value is not one of the \(allowed.count) allowed values"
    }
}
