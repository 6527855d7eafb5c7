/// A firmware range such as `>=2.0 <3.0`: comparisons joined by spaces, all of which must hold.
///
/// Versions compare component by component on `.`, numerically where both components are
/// numbers (`2.10 > 2.9`), else as text; missing components count as 0.
public struct FirmwareRequirement: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case atLeast = ">="
        case atMost = "<="
        case greater = ">"
        case less = "<"
        case notEqual = "!="
        case equal = "="
    }

    public struct Clause: Sendable, Equatable {
        public var comparison: Comparison
        public var version: String
    }

    public let clauses: [Clause]
    public let description: String

    public init?(_ text: String) {
        var clauses: [Clause] = []
        for token in text.split(separator: " ") {
            let token = token.hasPrefix("==") ? "=" + token.dropFirst(2) : Substring(token)
            guard let comparison = Comparison.allCases.first(where: { token.hasPrefix($0.rawValue) }) else {
                clauses.append(Clause(comparison: .equal, version: String(token)))
                continue
            }
            let version = token.dropFirst(comparison.rawValue.count)
            guard !version.isEmpty else { return nil }
            clauses.append(Clause(comparison: comparison, version: String(version)))
        }
        guard !clauses.isEmpty else { return nil }
        self.clauses = clauses
        description = text
    }

    public func isSatisfied(by firmware: String?) -> Bool {
        guard let firmware else { return false }
        return clauses.allSatisfy { clause in
            let order = Self.compare(firmware, clause.version)
            switch clause.comparison {
            case .atLeast: return order >= 0
            case .atMost: return order <= 0
            case .greater: return order > 0
            case .less: return order < 0
            case .equal: return order == 0
            case .notEqual: return order != 0
            }
        }
    }

    public static func compare(_ a: String, _ b: String) -> Int {
        let left = a.split(separator: ".", omittingEmptySubsequences: false)
        let right = b.split(separator: ".", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : "0"
            let y = index < right.count ? right[index] : "0"
            if let m = Int(x), let n = Int(y) {
                if m != n { return m < n ? -1 : 1 }
            } else if x != y {
                return x < y ? -1 : 1
            }
        }
        return 0
    }
}
