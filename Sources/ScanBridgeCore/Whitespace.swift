extension StringProtocol {
    /// The text without leading and trailing white space: `trimmingCharacters(in:
    /// .whitespacesAndNewlines)` (or `.whitespaces` when `newlines` is false) without Foundation.
    public func trimmingWhitespace(newlines: Bool = true) -> String {
        func isSpace(_ character: Character) -> Bool {
            character.isWhitespace && (newlines || !character.isNewline)
        }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
