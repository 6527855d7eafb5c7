/// A `pattern` regular expression with ECMA-262-like behaviour on top of the standard
/// library's `Regex`: matching works on Unicode code points, `\d` and `\w` are ASCII-only,
/// `\b` uses simple word boundaries, and a match may occur anywhere in the string (patterns
/// are not implicitly anchored).
///
/// Known differences from ECMA-262: a few escapes (`\cX`, `[^]`) are refused at load, and
/// matching backtracks without a time limit, so schemas should avoid nested quantifiers such
/// as `(a+)+`.
struct ECMAPattern: @unchecked Sendable {
    // `Regex` is not declared Sendable, but a compiled regex is immutable after creation and
    // matching does not mutate it.
    let source: String
    private let regex: Regex<AnyRegexOutput>

    struct CompileError: Error {
        let problem: String
    }

    init(_ source: String) throws(CompileError) {
        do {
            regex = try Regex(source)
                .matchingSemantics(.unicodeScalar)
                .asciiOnlyDigits()
                .asciiOnlyWordCharacters()
                .wordBoundaryKind(.simple)
        } catch {
            throw CompileError(problem: String(describing: error))
        }
        self.source = source
    }

    /// Whether the pattern matches somewhere in `text`.
    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}
