/// Checks one AI's data field against its definition and, when it is valid, says what it means.
enum GS1ElementValidator {
    struct Outcome {
        var element: GS1Element
        /// Why the data is not valid, or nil.
        var problem: String?
    }

    static func check(
        _ definition: ApplicationIdentifierDefinition, value: ArraySlice<UInt8>, referenceYear: Int
    ) -> Outcome {
        var element = GS1Element(ai: definition.ai, title: definition.title, value: GS1Characters.string(value))
        let problemAndParts = validate(definition, value: value, referenceYear: referenceYear)
        if let problem = problemAndParts.problem { return Outcome(element: element, problem: problem) }
        interpret(definition, value: value, parts: problemAndParts.parts, referenceYear: referenceYear, into: &element)
        return Outcome(element: element, problem: nil)
    }

    private static func lengthText(_ count: Int) -> String {
        count == 1 ? "1 character" : "\(count) characters"
    }

    private static func validate(
        _ definition: ApplicationIdentifierDefinition, value: ArraySlice<UInt8>, referenceYear: Int
    ) -> (problem: String?, parts: [(AIComponentSpec, ArraySlice<UInt8>)]) {
        let minimum = definition.minimumLength
        let maximum = definition.maximumLength
        if value.isEmpty { return ("has no data", []) }
        if value.count < minimum || value.count > maximum {
            let expected = minimum == maximum ? "\(minimum)" : "\(minimum) to \(maximum)"
            return ("data has \(lengthText(value.count)), expected \(expected)", [])
        }
        var parts: [(AIComponentSpec, ArraySlice<UInt8>)] = []
        var rest = value
        for (index, component) in definition.components.enumerated() {
            if rest.isEmpty {
                if component.isOptional { break }
                return ("data ends before component \(index + 1)", [])
            }
            if component.isFixedLength, rest.count < component.maximumLength {
                return (
                    "component \(index + 1) has \(lengthText(rest.count)), expected \(component.maximumLength)", []
                )
            }
            let taken = rest.prefix(component.maximumLength)
            parts.append((component, taken))
            rest = rest.dropFirst(taken.count)
        }
        if !rest.isEmpty { return ("data has \(lengthText(value.count)), expected at most \(maximum)", []) }

        let context = LintContext(ai: definition.ai, referenceYear: referenceYear)
        for (component, data) in parts {
            if let problem = characterSetProblem(component.characterSet, data, valueStart: value.startIndex) {
                return (problem, [])
            }
            for linter in component.linters {
                if let problem = linter.problem(in: data, context: context) { return (problem, []) }
            }
        }
        return (nil, parts)
    }

    private static func characterSetProblem(
        _ characterSet: GS1CharacterSet, _ data: ArraySlice<UInt8>, valueStart: Int
    ) -> String? {
        var checked = data
        if characterSet == .cset64 {
            var pads = 0
            while pads < checked.count, checked[checked.endIndex - 1 - pads] == UInt8(ascii: "=") { pads += 1 }
            if pads > 2 || (pads > 0 && data.count % 3 != 0) { return "base64 padding '=' is misplaced" }
            checked = checked.dropLast(pads)
        }
        for index in checked.indices {
            let byte = checked[index]
            let ok: Bool
            let name: String
            switch characterSet {
            case .numeric: (ok, name) = (GS1Characters.isDigit(byte), "a digit")
            case .cset82: (ok, name) = (GS1Characters.isCSET82(byte), "in GS1 character set 82")
            case .cset39: (ok, name) = (GS1Characters.isCSET39(byte), "in GS1 character set 39")
            case .cset64: (ok, name) = (GS1Characters.isCSET64(byte), "in GS1 character set 64")
            }
            if !ok {
                return "\(GS1Characters.describe(byte)) at data position \(index - valueStart + 1) is not \(name)"
            }
        }
        return nil
    }

    private static func interpret(
        _ definition: ApplicationIdentifierDefinition, value: ArraySlice<UInt8>,
        parts: [(AIComponentSpec, ArraySlice<UInt8>)], referenceYear: Int, into element: inout GS1Element
    ) {
        // The fourth digit of 31nn–36nn and 390n–395n is the number of decimal places.
        let ai = definition.ai
        if ai.utf8.count == 4, ai.hasPrefix("3"), let places = GS1Linter.number(ai.utf8.suffix(1)) {
            let text = GS1Characters.string(value)
            switch ai.prefix(3) {
            case "390", "392", "394", "395":
                element.decimal = ExactDecimal.text(digits: text, decimalPlaces: places)
            case "391", "393":
                element.currency = GS1Characters.string(value.prefix(3))
                element.decimal = ExactDecimal.text(
                    digits: GS1Characters.string(value.dropFirst(3)), decimalPlaces: places)
            case let family where ("31"..."36").contains(family.prefix(2)):
                element.decimal = ExactDecimal.text(digits: text, decimalPlaces: places)
                element.unit = MeasureUnits.unitCode(forAI: ai)
            default:
                break
            }
        }
        element.date = dateText(parts, referenceYear: referenceYear)
    }

    /// ISO 8601 text for the date and time components of a field, joined as `date/date` for a range.
    private static func dateText(_ parts: [(AIComponentSpec, ArraySlice<UInt8>)], referenceYear: Int) -> String? {
        var dates: [String] = []
        for (component, data) in parts {
            for linter in component.linters {
                switch linter {
                case .dateYYMMD0, .dateYYMMDD, .dateYYYYMMD0, .dateYYYYMMDD:
                    if let date = GS1Date.iso8601(data, referenceYear: referenceYear) { dates.append(date) }
                case .timeHHMI where !dates.isEmpty:
                    dates[dates.count - 1] +=
                        "T" + GS1Characters.string(data.prefix(2)) + ":"
                        + GS1Characters.string(data.suffix(2))
                case .hour where !dates.isEmpty:
                    dates[dates.count - 1] += "T" + GS1Characters.string(data)
                case .minute where !dates.isEmpty, .second where !dates.isEmpty:
                    dates[dates.count - 1] += ":" + GS1Characters.string(data)
                default:
                    break
                }
            }
        }
        return dates.isEmpty ? nil : dates.joined(separator: "/")
    }
}
