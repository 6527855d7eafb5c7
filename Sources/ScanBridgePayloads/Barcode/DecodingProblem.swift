/// Why (part of) an input is invalid, and where.
///
/// `description` reads as one sentence: `AI (17): day 32 is not a date`, `position 18: no AI starts with "98"`.
public struct DecodingProblem: Sendable, Hashable, CustomStringConvertible {
    /// The AI the problem belongs to, if any.
    public let ai: String?
    /// Offset in the decoded data (after any AIM identifier), if the problem has one place.
    public let position: Int?
    /// The reason, e.g. `"day 32 is not a date"`.
    public let reason: String

    public init(ai: String? = nil, position: Int? = nil, reason: String) {
        self.ai = ai
        self.position = position
        self.reason = reason
    }

    public var description: String {
        if let ai { return "AI (\(ai)): \(reason)" }
        if let position { return "position \(position): \(reason)" }
        return reason
    }
}
