/// Exact decimal text from GS1 digit strings: never through binary floating point.
public enum ExactDecimal {
    /// `"001234"` with 3 decimal places → `"1.234"`; `"5"` with 2 → `"0.05"`; `"001230"` with 0 → `"1230"`.
    /// Leading zeros of the integer part go; trailing zeros of the fraction stay (they carry the precision).
    public static func text(digits: String, decimalPlaces: Int) -> String? {
        let bytes = Array(digits.utf8)
        guard !bytes.isEmpty, decimalPlaces >= 0, bytes.allSatisfy(GS1Characters.isDigit) else { return nil }
        let padded =
            bytes.count > decimalPlaces
            ? bytes : [UInt8](repeating: UInt8(ascii: "0"), count: decimalPlaces + 1 - bytes.count) + bytes
        var integer = Array(padded.dropLast(decimalPlaces))
        while integer.count > 1, integer.first == UInt8(ascii: "0") { integer.removeFirst() }
        let fraction = padded.suffix(decimalPlaces)
        return GS1Characters.string(integer) + (decimalPlaces > 0 ? "." + GS1Characters.string(fraction) : "")
    }
}
