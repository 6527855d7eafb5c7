/// What a scanned barcode says: its symbology, its GS1 elements and GTIN, and what is wrong with it.
public struct BarcodeDecoding: Sendable, Hashable {
    /// How the data was written.
    public enum Form: String, Sendable, Hashable {
        /// GS1 element string with GS (ASCII 29) separators, as scanned.
        case elementString = "element-string"
        /// `(01)…(17)…` text.
        case humanReadable = "human-readable"
        /// A GS1 Digital Link URI.
        case digitalLink = "digital-link"
        /// EAN-13, UPC-A, EAN-8 (or ITF-14) digits.
        case plainGTIN = "plain-gtin"
        /// Data that carries no GS1 structure.
        case other
    }

    /// The AIM symbology identifier the data began with, if any.
    public var symbologyIdentifier: SymbologyIdentifier?
    /// Symbology name from the AIM identifier (`gs1-128`, `ean-13`, …), or nil without one.
    public var symbology: String?
    /// Whether the data is a GS1 message (element string, human-readable form or Digital Link).
    public var isGS1: Bool
    public var form: Form
    /// The data after the AIM identifier, as text.
    public var data: String
    public var elements: [GS1Element]
    /// The GTIN-14, from AI (01) or from a plain EAN/UPC number.
    public var gtin: String?
    public var problems: [DecodingProblem]

    public var isValid: Bool { problems.isEmpty }

    /// The parenthesised human-readable form of the elements.
    public var humanReadable: String { GS1HumanReadable.text(elements) }

    /// The first element with AI `ai`.
    public func element(_ ai: String) -> GS1Element? { elements.first { $0.ai == ai } }
}
