/// Rules over a whole GS1 message: repeated AIs must agree, mandatory associations (`req=`) must be met and
/// invalid pairings (`ex=`) must not occur (GS1 General Specifications §4.13).
enum GS1MessageRules {
    static func problems(_ elements: [GS1Element]) -> [DecodingProblem] {
        var problems: [DecodingProblem] = []
        let present = elements.map(\.ai)
        var firstValue: [String: String] = [:]
        var reportedDuplicates: Set<String> = []
        for element in elements {
            if let earlier = firstValue[element.ai] {
                if earlier != element.value, reportedDuplicates.insert(element.ai).inserted {
                    problems.append(DecodingProblem(ai: element.ai, reason: "appears twice with different values"))
                }
            } else {
                firstValue[element.ai] = element.value
            }
        }
        var checked: Set<String> = []
        var reportedPairs: Set<String> = []
        for element in elements where checked.insert(element.ai).inserted {
            guard let definition = ApplicationIdentifierDefinition.named(element.ai) else { continue }
            for pattern in definition.excludes {
                for other in present
                where other != element.ai
                    && ApplicationIdentifierDefinition.pattern(pattern, matches: other)
                {
                    let pair = [element.ai, other].sorted().joined(separator: "+")
                    if reportedPairs.insert(pair).inserted {
                        problems.append(DecodingProblem(ai: element.ai, reason: "must not be used with AI (\(other))"))
                    }
                }
            }
            for rule in definition.requires {
                let satisfied = rule.contains { alternative in
                    alternative.allSatisfy { pattern in
                        present.contains { ApplicationIdentifierDefinition.pattern(pattern, matches: $0) }
                    }
                }
                if !satisfied {
                    let options = rule.map { $0.map { "(\($0))" }.joined(separator: "+") }
                    let list =
                        options.count == 1
                        ? options[0] : options.dropLast().joined(separator: ", ") + " or " + options.last!
                    problems.append(DecodingProblem(ai: element.ai, reason: "requires AI \(list) in the same message"))
                }
            }
        }
        return problems
    }
}
