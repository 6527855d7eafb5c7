/// Dates in GS1 data: six-digit `YYMMDD` with the century chosen by the sliding window of the GS1 General
/// Specifications (§7.12), and `DD = 00` meaning "day not given".
public enum GS1Date {
    /// The year the sliding window is centred on when a caller passes none. Callers that know today's date (the CLI,
    /// the agent) pass the current year instead.
    public static let defaultReferenceYear = 2026

    /// The four-digit year for `YY`: up to 50 years ahead and 49 behind the reference year.
    public static func fullYear(twoDigit yy: Int, referenceYear: Int) -> Int {
        let century = referenceYear - referenceYear % 100
        let difference = yy - referenceYear % 100
        if difference >= 51 { return century - 100 + yy }
        if difference > -50 { return century + yy }
        return century + 100 + yy
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// ISO 8601 text for a valid `YYMMDD`/`YYYYMMDD` field: `2026-01-01`, or `2026-01` when the day is `00`.
    static func iso8601<C: Collection>(_ digits: C, referenceYear: Int) -> String? where C.Element == UInt8 {
        guard digits.count == 6 || digits.count == 8, let value = GS1Linter.number(digits) else { return nil }
        let day = value % 100
        let month = value / 100 % 100
        let year = digits.count == 8 ? value / 10_000 : fullYear(twoDigit: value / 10_000, referenceYear: referenceYear)
        let yearText = String(year)
        let padded = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
        return day == 0 ? "\(padded)-\(twoDigits(month))" : "\(padded)-\(twoDigits(month))-\(twoDigits(day))"
    }
}
