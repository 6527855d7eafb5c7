/// An AIM symbology identifier (ISO/IEC 15424): `]` + code character + modifier, e.g. `]C1`.
public struct SymbologyIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The code character, e.g. `C` for Code 128.
    public let code: Character
    /// The modifier character, e.g. `1` (FNC1 in first position).
    public let modifier: Character

    public var description: String { "]\(code)\(modifier)" }

    public init?(code: Character, modifier: Character) {
        guard code.isASCII, code.isLetter, modifier.isASCII, modifier.isLetter || modifier.isNumber else { return nil }
        self.code = code
        self.modifier = modifier
    }

    /// Reads an identifier at the start of `bytes`.
    public static func prefix<C: Collection>(of bytes: C) -> SymbologyIdentifier? where C.Element == UInt8 {
        let head = Array(bytes.prefix(3))
        guard head.count == 3, head[0] == UInt8(ascii: "]"), head[1] < 0x80, head[2] < 0x80 else { return nil }
        return SymbologyIdentifier(
            code: Character(Unicode.Scalar(head[1])), modifier: Character(Unicode.Scalar(head[2])))
    }

    /// Whether the data that follows is a GS1 element string (implied FNC1 in first position).
    public var carriesGS1ElementString: Bool {
        switch (code, modifier) {
        case ("C", "1"), ("d", "2"), ("Q", "3"), ("J", "1"), ("z", "1"): return true
        case ("e", _): return true
        default: return false
        }
    }

    /// Whether the data is a plain GTIN from an EAN/UPC symbol (`]E0` EAN-13/UPC-A, `]E4` EAN-8, `]E3` with add-on).
    public var carriesPlainGTIN: Bool { code == "E" && (modifier == "0" || modifier == "3" || modifier == "4") }

    /// A short, stable name: `gs1-128`, `code-128`, `ean-13`, `gs1-datamatrix`, …
    public var symbologyName: String {
        switch (code, modifier) {
        case ("C", "1"): return "gs1-128"
        case ("C", _): return "code-128"
        case ("e", _): return "gs1-databar"
        case ("d", "2"): return "gs1-datamatrix"
        case ("d", _): return "data-matrix"
        case ("Q", "3"): return "gs1-qr-code"
        case ("Q", _): return "qr-code"
        case ("J", "1"): return "gs1-dotcode"
        case ("J", _): return "dotcode"
        case ("z", "1"): return "gs1-aztec"
        case ("z", _): return "aztec"
        case ("E", "4"): return "ean-8"
        case ("E", "3"): return "ean-upc-with-add-on"
        case ("E", "1"), ("E", "2"): return "ean-add-on"
        case ("E", _): return "ean-13"
        case ("A", _): return "code-39"
        case ("I", _): return "itf"
        case ("F", _): return "codabar"
        case ("G", _): return "code-93"
        case ("H", _): return "code-11"
        case ("L", _): return "pdf417"
        case ("M", _): return "msi"
        case ("K", _): return "code-16k"
        case ("O", _): return "codablock-f"
        case ("R", _): return "straight-2-of-5"
        case ("S", _): return "standard-2-of-5"
        case ("X", _): return "other"
        case ("Z", _): return "non-barcode"
        default: return "aim-\(code)"
        }
    }
}
