extension ApplicationIdentifierDefinition {
    /// Every AI of the syntax dictionary, parsed once from ``table`` at first use.
    static let all: [ApplicationIdentifierDefinition] = parse(table: table)

    /// Reads the compact table `Tests/Tools/generate-ai-table.py` writes: one AI per line,
    /// `ai|title|flags|components|requires|excludes|qualifiers`. It is generated and covered
    /// by the GS1 tests, so a malformed line is a programming error, not input.
    static func parse(table: String) -> [ApplicationIdentifierDefinition] {
        table.split(separator: "\n").map { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            precondition(fields.count == 7, "AI table: 7 fields expected in \(line)")
            return ApplicationIdentifierDefinition(
                ai: fields[0], title: fields[1], predefinedLength: fields[2].contains("P"),
                digitalLinkAttribute: fields[2].contains("D"), components: list(fields[3], ";").map(component),
                requires: list(fields[4], ";").map { list($0, "/").map { list($0, "+") } },
                excludes: list(fields[5], ","), digitalLinkPrimaryKey: fields[2].contains("K"),
                digitalLinkQualifiers: list(fields[6], ";").map { list($0, ",") })
        }
    }

    private static func list(_ text: String, _ separator: Character) -> [String] {
        text.isEmpty ? [] : text.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }

    /// `?N1-20:checkDigit,hasNonDigit` → an optional numeric component of 1 to 20 digits.
    private static func component(_ text: String) -> AIComponentSpec {
        var spec = Substring(text)
        let optional = spec.first == "?"
        if optional { spec = spec.dropFirst() }
        let characterSet: GS1CharacterSet =
            switch spec.first {
            case "N": .numeric
            case "X": .cset82
            case "Y": .cset39
            case "Z": .cset64
            default: preconditionFailure("AI table: unknown character set in \(text)")
            }
        spec = spec.dropFirst()
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let minimum = Int(bounds[0]), let maximum = Int(bounds[1]) else {
            preconditionFailure("AI table: bad length in \(text)")
        }
        let linters = parts.count > 1 ? list(String(parts[1]), ",") : []
        return AIComponentSpec(
            characterSet, minimum, maximum, optional: optional,
            linters: linters.map { name in
                guard let linter = GS1Linter(rawValue: name) else { preconditionFailure("AI table: no linter \(name)") }
                return linter
            })
    }
}
