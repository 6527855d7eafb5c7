/// The human-readable interpretation of GS1 data: `(01)09501101530003(17)260101(10)AB-123`.
public enum GS1HumanReadable {
    /// The parenthesised form of elements, in order. A `(` inside a value is written `\(` so the text parses back.
    public static func text(_ elements: [GS1Element]) -> String {
        var result = ""
        for element in elements {
            result += "(" + element.ai + ")"
            for character in element.value {
                if character == "(" || character == "\\" { result.append("\\") }
                result.append(character)
            }
        }
        return result
    }

    /// Whether data looks like the parenthesised form: `(` then two to four digits then `)`.
    static func looksLikeHumanReadable(_ data: ArraySlice<UInt8>) -> Bool {
        aiGroupLength(data, at: data.startIndex) != nil
    }

    /// The length of an `(nn)`…`(nnnn)` group at `index`, or nil.
    private static func aiGroupLength(_ data: ArraySlice<UInt8>, at index: Int) -> Int? {
        guard index < data.endIndex, data[index] == UInt8(ascii: "(") else { return nil }
        var cursor = index + 1
        while cursor < data.endIndex, cursor - index <= 5, GS1Characters.isDigit(data[cursor]) { cursor += 1 }
        let digits = cursor - index - 1
        guard (2...4).contains(digits), cursor < data.endIndex, data[cursor] == UInt8(ascii: ")") else { return nil }
        return digits + 2
    }

    static func split(_ data: ArraySlice<UInt8>, base: Int = 0) -> (
        fields: [GS1ElementStringParser.Field], problems: [DecodingProblem]
    ) {
        var fields: [GS1ElementStringParser.Field] = []
        var problems: [DecodingProblem] = []
        var index = data.startIndex
        while index < data.endIndex {
            let position = index - data.startIndex + base
            guard let groupLength = aiGroupLength(data, at: index) else {
                problems.append(DecodingProblem(position: position, reason: "expected \"(\" and an AI such as (01)"))
                break
            }
            let ai = GS1Characters.string(data[(index + 1)..<(index + groupLength - 1)])
            index += groupLength
            var value: [UInt8] = []
            while index < data.endIndex, aiGroupLength(data, at: index) == nil {
                if data[index] == UInt8(ascii: "\\"), index + 1 < data.endIndex,
                    data[index + 1] == UInt8(ascii: "(") || data[index + 1] == UInt8(ascii: "\\")
                {
                    index += 1
                }
                value.append(data[index])
                index += 1
            }
            guard let definition = ApplicationIdentifierDefinition.named(ai) else {
                problems.append(DecodingProblem(position: position, reason: "(\(ai)) is not an Application Identifier"))
                continue
            }
            fields.append(GS1ElementStringParser.Field(definition: definition, value: value[...], position: position))
        }
        return (fields, problems)
    }
}
