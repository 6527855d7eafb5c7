/// GS1 Digital Link URIs (`https://id.gs1.org/01/09506000134352/10/ABC?17=260101`) on any host.
///
/// The path is read from its end: the rightmost primary-key AI in the trailing run of `/AI/value` pairs is the key,
/// the pairs after it are its qualifiers, and anything before it is the host's own path prefix. Query parameters whose names
/// are AIs are data attributes; other parameters (`linkType`, …) are ignored. Values are percent-decoded. Qualifiers
/// must follow the key's order (`dlpkey=22,10,21|235`); an AI may appear only once. A GTIN written with 8, 12 or 13
/// digits is reported (the standard asks for 14) and widened to 14.
enum DigitalLinkParser {
    static func looksLikeDigitalLink(_ data: ArraySlice<UInt8>) -> Bool {
        let lower = data.prefix(8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
        return lower.starts(with: Array("https://".utf8)) || lower.starts(with: Array("http://".utf8))
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Percent-decodes a URI component, or nil when a `%` is not followed by two hex digits.
    static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%") {
                guard bytes.endIndex - index >= 3, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else { return nil }
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    private static func isAI(_ segment: ArraySlice<UInt8>) -> ApplicationIdentifierDefinition? {
        guard (2...4).contains(segment.count), segment.allSatisfy(GS1Characters.isDigit) else { return nil }
        return ApplicationIdentifierDefinition.named(GS1Characters.string(segment))
    }

    static func split(_ data: ArraySlice<UInt8>) -> (
        fields: [GS1ElementStringParser.Field], problems: [DecodingProblem]
    ) {
        var problems: [DecodingProblem] = []
        func fail(_ position: Int, _ reason: String) -> ([GS1ElementStringParser.Field], [DecodingProblem]) {
            problems.append(DecodingProblem(position: position, reason: "Digital Link: " + reason))
            return ([], problems)
        }
        let start = data.startIndex
        guard let schemeEnd = data.firstIndex(of: UInt8(ascii: ":")), data[schemeEnd...].starts(with: "://".utf8)
        else { return fail(0, "not an http(s) URI") }
        let authorityStart = schemeEnd + 3
        let withoutFragment = data[authorityStart...].prefix { $0 != UInt8(ascii: "#") }
        let pathStart =
            withoutFragment.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }
            ?? withoutFragment.endIndex
        if pathStart == authorityStart { return fail(authorityStart - start, "no host") }
        let queryStart = withoutFragment[pathStart...].firstIndex(of: UInt8(ascii: "?")) ?? withoutFragment.endIndex
        let path = withoutFragment[pathStart..<queryStart]
        let query =
            queryStart < withoutFragment.endIndex
            ? withoutFragment[(queryStart + 1)..<withoutFragment.endIndex] : withoutFragment[queryStart..<queryStart]

        // Path segments after the leading "/".
        let segments = path.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        // The primary key is the rightmost key AI of the trailing run of /AI/value pairs (GS1 Digital Link §4).
        var keyIndex: Int?
        var cursor = segments.count - 2
        while cursor >= 0, let definition = isAI(segments[cursor]) {
            if definition.digitalLinkPrimaryKey {
                keyIndex = cursor
                break
            }
            cursor -= 2
        }
        guard let keyIndex, let key = isAI(segments[keyIndex]) else {
            return fail(path.startIndex - start, "no GS1 primary key such as /01/ in the path")
        }

        var fields: [GS1ElementStringParser.Field] = []
        var qualifiers: [String] = []
        var pairIndex = keyIndex
        while pairIndex + 1 < segments.count, let definition = isAI(segments[pairIndex]) {
            let valueSegment = segments[pairIndex + 1]
            let position = segments[pairIndex].startIndex - start
            guard var value = percentDecoded(valueSegment) else {
                return fail(
                    valueSegment.startIndex - start, "bad percent-encoding in the value of AI (\(definition.ai))")
            }
            if definition.ai == "01", value.count != 14, value.allSatisfy(GS1Characters.isDigit),
                [8, 12, 13].contains(value.count)
            {
                problems.append(
                    DecodingProblem(
                        position: position,
                        reason: "Digital Link: the GTIN must be written with 14 digits, not \(value.count)"))
                value = [UInt8](repeating: UInt8(ascii: "0"), count: 14 - value.count) + value
            }
            if pairIndex > keyIndex { qualifiers.append(definition.ai) }
            fields.append(GS1ElementStringParser.Field(definition: definition, value: value[...], position: position))
            pairIndex += 2
        }
        if !qualifiers.isEmpty, !key.digitalLinkQualifiers.contains(where: { isSubsequence(qualifiers, of: $0) }) {
            let accepted = key.digitalLinkQualifiers.map { $0.map { "(\($0))" }.joined(separator: ", ") }
            problems.append(
                DecodingProblem(
                    position: segments[keyIndex].startIndex - start,
                    reason: "Digital Link: qualifiers " + qualifiers.map { "(\($0))" }.joined(separator: ", ")
                        + " do not follow key (\(key.ai))"
                        + (accepted.isEmpty
                            ? ", which takes none" : " in the order " + accepted.joined(separator: " or "))))
        }

        for parameter in query.split(separator: UInt8(ascii: "&")) {
            let name = parameter.prefix { $0 != UInt8(ascii: "=") }
            guard name.count < parameter.count, let definition = isAI(name) else { continue }
            let rawValue = parameter.dropFirst(name.count + 1)
            guard let value = percentDecoded(rawValue) else {
                return fail(parameter.startIndex - start, "bad percent-encoding in the value of AI (\(definition.ai))")
            }
            if allowedQualifier(definition.ai, after: segments[keyIndex]) {
                problems.append(
                    DecodingProblem(
                        position: parameter.startIndex - start,
                        reason:
                            "Digital Link: AI (\(definition.ai)) is a qualifier: it belongs in the path, not the query")
                )
            } else if !definition.digitalLinkAttribute {
                problems.append(
                    DecodingProblem(
                        position: parameter.startIndex - start,
                        reason: "Digital Link: AI (\(definition.ai)) is not permitted as a query attribute"))
            }
            fields.append(
                GS1ElementStringParser.Field(
                    definition: definition, value: value[...], position: parameter.startIndex - start))
        }
        var seen: Set<String> = []
        var reported: Set<String> = []
        for field in fields
        where !seen.insert(field.definition.ai).inserted && reported.insert(field.definition.ai).inserted {
            problems.append(
                DecodingProblem(
                    position: field.position,
                    reason: "Digital Link: AI (\(field.definition.ai)) appears more than once"))
        }
        return (fields, problems)
    }

    private static func isSubsequence(_ items: [String], of sequence: [String]) -> Bool {
        var remaining = sequence[...]
        for item in items {
            guard let found = remaining.firstIndex(of: item) else { return false }
            remaining = remaining[(found + 1)...]
        }
        return true
    }

    /// Whether `ai` is one of the key's qualifiers (and so belongs in the path).
    private static func allowedQualifier(_ ai: String, after key: ArraySlice<UInt8>) -> Bool {
        guard let definition = isAI(key) else { return false }
        return definition.digitalLinkQualifiers.contains { $0.contains(ai) }
    }
}
