/// Splits a GS1 element string (AI digits, data, GS/FNC1 separators) into elements.
///
/// A predefined-length AI (the `*` flag of the Syntax Dictionary) takes exactly its length; any other AI takes the
/// data up to the next GS (ASCII 29) or the end, and its length is then checked. A GS after a predefined-length
/// field is tolerated, as are a trailing GS and a leading GS (the FNC1 in first position some scanners transmit).
enum GS1ElementStringParser {
    struct Field {
        let definition: ApplicationIdentifierDefinition
        let value: ArraySlice<UInt8>
        let position: Int
    }

    static func split(_ data: ArraySlice<UInt8>, base: Int = 0) -> (fields: [Field], problems: [DecodingProblem]) {
        let gs = GS1Characters.groupSeparator
        var fields: [Field] = []
        var problems: [DecodingProblem] = []
        var index = data.startIndex
        while index < data.endIndex, data[index] == gs { index += 1 }
        if index == data.endIndex {
            return ([], [DecodingProblem(reason: "no GS1 element string in the data")])
        }
        while index < data.endIndex {
            let position = index - data.startIndex + base
            guard let definition = ApplicationIdentifierDefinition.prefixing(data[index...]) else {
                let shown = GS1Characters.string(data[index...].prefix(4).filter { $0 >= 0x20 && $0 < 0x7F })
                let reason =
                    data[index] == gs
                    ? "empty field: two separators in a row"
                    : "no Application Identifier starts with \"\(shown)\""
                problems.append(DecodingProblem(position: position, reason: reason))
                break
            }
            index += definition.ai.utf8.count
            let valueStart = index
            if definition.predefinedLength {
                let end = min(data.endIndex, index + definition.maximumLength)
                let separator = data[index..<end].firstIndex(of: gs)
                index = separator ?? end
                fields.append(Field(definition: definition, value: data[valueStart..<index], position: position))
                if index < data.endIndex, data[index] == gs { index += 1 }
            } else {
                let end = data[index...].firstIndex(of: gs) ?? data.endIndex
                fields.append(Field(definition: definition, value: data[valueStart..<end], position: position))
                index = end
                if index < data.endIndex { index += 1 }  // a trailing GS is tolerated
            }
        }
        return (fields, problems)
    }
}
