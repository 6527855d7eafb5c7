/// The characters a component of an AI's data field may hold (GS1 General Specifications, figure 7.11-1).
public enum GS1CharacterSet: Sendable, Hashable {
    /// Digits `0`–`9` ("N").
    case numeric
    /// GS1 AI encodable character set 82 ("X").
    case cset82
    /// GS1 AI encodable character set 39 ("Y").
    case cset39
    /// File-safe / URI-safe base64 ("Z"), with `=` padding.
    case cset64
}

/// One component of an AI's data field, e.g. `N3,iso4217` or `[N..12]`.
public struct AIComponentSpec: Sendable, Hashable {
    public let characterSet: GS1CharacterSet
    public let minimumLength: Int
    public let maximumLength: Int
    /// An optional component (`[...]`) may be left out when the data ends before it.
    public let isOptional: Bool
    public let linters: [GS1Linter]

    public var isFixedLength: Bool { minimumLength == maximumLength }

    init(_ characterSet: GS1CharacterSet, _ minimum: Int, _ maximum: Int, optional: Bool, linters: [GS1Linter]) {
        self.characterSet = characterSet
        self.minimumLength = minimum
        self.maximumLength = maximum
        self.isOptional = optional
        self.linters = linters
    }
}

/// An Application Identifier as the GS1 Barcode Syntax Dictionary describes it.
public struct ApplicationIdentifierDefinition: Sendable, Hashable {
    /// The AI itself, two to four digits: `"01"`, `"3103"`.
    public let ai: String
    /// The data title, e.g. `"NET WEIGHT (kg)"`.
    public let title: String
    /// In the predefined-length table: no FNC1/GS needed after the field.
    public let predefinedLength: Bool
    /// Permitted as a GS1 Digital Link data attribute (query parameter).
    public let digitalLinkAttribute: Bool
    public let components: [AIComponentSpec]
    /// Each inner list is one `req=` rule: alternatives, each a list of AIs or patterns (`31nn`) that must all be
    /// present.
    public let requires: [[[String]]]
    /// AIs or patterns (`310n`) that must not appear in the same message.
    public let excludes: [String]
    public let digitalLinkPrimaryKey: Bool
    /// Alternative ordered sequences of qualifier AIs a Digital Link primary key accepts.
    public let digitalLinkQualifiers: [[String]]

    /// The shortest data field the AI accepts.
    public var minimumLength: Int {
        components.reduce(0) { $0 + ($1.isOptional ? 0 : $1.minimumLength) }
    }

    /// The longest data field the AI accepts.
    public var maximumLength: Int {
        components.reduce(0) { $0 + $1.maximumLength }
    }

    /// Looks an AI up by its exact digits.
    public static func named(_ ai: String) -> ApplicationIdentifierDefinition? {
        byAI[ai]
    }

    /// Looks up the AI that starts `bytes` (AIs are prefix-free, so at most one matches).
    static func prefixing<C: Collection>(_ bytes: C) -> ApplicationIdentifierDefinition?
    where C.Element == UInt8 {
        var key = ""
        for byte in bytes.prefix(4) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            key.unicodeScalars.append(Unicode.Scalar(byte))
            if key.count >= 2, let definition = byAI[key] { return definition }
        }
        return nil
    }

    private static let byAI: [String: ApplicationIdentifierDefinition] = {
        var table: [String: ApplicationIdentifierDefinition] = [:]
        for definition in all { table[definition.ai] = definition }
        return table
    }()

    /// Whether `pattern` (`"01"`, `"310n"`, `"31nn"`) names `ai`.
    static func pattern(_ pattern: String, matches ai: String) -> Bool {
        guard pattern.utf8.count == ai.utf8.count else { return false }
        for (p, a) in zip(pattern.utf8, ai.utf8) where p != UInt8(ascii: "n") && p != a {
            return false
        }
        return true
    }
}
