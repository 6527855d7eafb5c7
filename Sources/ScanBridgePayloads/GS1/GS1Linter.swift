/// The content checks ("linters") the GS1 Barcode Syntax Dictionary attaches to AI components.
///
/// The names of the dictionary (`csum`, `yymmd0`, …) map to these cases in `Tests/Tools/generate-ai-table.py`. Each check
/// is written from the GS1 General Specifications' description of the rule; a failed check yields the reason as a
/// sentence fragment ("day 32 is not a date").
public enum GS1Linter: String, Sendable, Hashable, CaseIterable {
    case checkDigit, checkCharacterPair
    case companyPrefixAtStart, companyPrefixAfterFirst
    case dateYYMMD0, dateYYMMDD, dateYYYYMMD0, dateYYYYMMDD
    case timeHHMI, hour, minute, second
    case currencyCode, countryCode, countryCodeOr999, countryCodeAlpha2
    case yesNo, zero, nonZero, windingDirection, pieceOfTotal, hyphens
    case latitude, longitude, percentEncoding, biologicalSex, mediaType, positionInSequence
    case noZeroPrefix, hasNonDigit, importerIndex, packageType, iban
    /// North American coupon codes (AI 8110, 8112).
    case couponCode, couponPositiveOffer
}

struct LintContext {
    let ai: String
    let referenceYear: Int
}

extension GS1Linter {
    // swift-format-ignore
    /// Why `data` fails this check, or nil when it passes.
    func problem(in data: ArraySlice<UInt8>, context: LintContext) -> String? {
        switch self {
        case .checkDigit: return Self.checkDigitProblem(data, ai: context.ai)
        case .checkCharacterPair: return Self.checkPairProblem(data)
        case .companyPrefixAtStart: return Self.companyPrefixProblem(data)
        case .companyPrefixAfterFirst: return Self.companyPrefixProblem(data.dropFirst())
        case .dateYYMMD0: return Self.dateProblem(data, fourDigitYear: false, dayZeroAllowed: true, context.referenceYear)
        case .dateYYMMDD: return Self.dateProblem(data, fourDigitYear: false, dayZeroAllowed: false, context.referenceYear)
        case .dateYYYYMMD0: return Self.dateProblem(data, fourDigitYear: true, dayZeroAllowed: true, context.referenceYear)
        case .dateYYYYMMDD: return Self.dateProblem(data, fourDigitYear: true, dayZeroAllowed: false, context.referenceYear)
        case .timeHHMI:
            guard data.count == 4 else { return "time must be 4 digits HHMI" }
            return Self.rangeProblem(data.prefix(2), 0...23, "hour") ?? Self.rangeProblem(data.suffix(2), 0...59, "minute")
        case .hour: return Self.rangeProblem(data, 0...23, "hour")
        case .minute: return Self.rangeProblem(data, 0...59, "minute")
        case .second: return Self.rangeProblem(data, 0...59, "second")
        case .currencyCode:
            guard let code = Self.number(data), data.count == 3, GS1CodeLists.currencies.contains(code) else {
                return "\(GS1Characters.string(data)) is not an ISO 4217 currency code"
            }
            return nil
        case .countryCode, .countryCodeOr999:
            if self == .countryCodeOr999, data.elementsEqual("999".utf8) { return nil }
            guard let code = Self.number(data), data.count == 3, GS1CodeLists.countries.contains(code) else {
                return "\(GS1Characters.string(data)) is not an ISO 3166 country code"
            }
            return nil
        case .countryCodeAlpha2:
            guard GS1CodeLists.countriesAlpha2.contains(GS1Characters.string(data)) else {
                return "\(GS1Characters.string(data)) is not an ISO 3166 alpha-2 country code"
            }
            return nil
        case .yesNo: return Self.oneOf(data, "01", "\(GS1Characters.string(data)) is not 0 (no) or 1 (yes)")
        case .zero: return data.allSatisfy { $0 == UInt8(ascii: "0") } ? nil : "must be zero"
        case .nonZero: return data.allSatisfy { $0 == UInt8(ascii: "0") } ? "must not be zero" : nil
        case .windingDirection:
            return Self.oneOf(data, "019", "winding direction \(GS1Characters.string(data)) is not 0, 1 or 9")
        case .pieceOfTotal: return Self.pieceOfTotalProblem(data)
        case .hyphens: return data.allSatisfy { $0 == UInt8(ascii: "-") } ? nil : "must be '-'"
        case .latitude: return Self.coordinateProblem(data, "latitude", maximum: 1_800_000_000)
        case .longitude: return Self.coordinateProblem(data, "longitude", maximum: 3_600_000_000)
        case .percentEncoding: return Self.percentEncodingProblem(data)
        case .biologicalSex:
            return Self.oneOf(data, "0129", "\(GS1Characters.string(data)) is not an ISO 5218 sex code (0, 1, 2, 9)")
        case .mediaType:
            guard let value = Self.number(data), data.count == 2, (1...10).contains(value) || (80...99).contains(value)
            else { return "media type \(GS1Characters.string(data)) is not assigned" }
            return nil
        case .positionInSequence: return Self.positionInSequenceProblem(data)
        case .noZeroPrefix: return data.first == UInt8(ascii: "0") ? "must not start with 0" : nil
        case .hasNonDigit: return data.allSatisfy(GS1Characters.isDigit) ? "must contain a character that is not a digit" : nil
        case .importerIndex:
            guard data.count == 1, let byte = data.first, GS1Characters.isCSET64(byte) else {
                return "importer index \(GS1Characters.string(data)) is not one of -, 0-9, A-Z, _, a-z"
            }
            return nil
        case .packageType:
            guard GS1CodeLists.packageTypes.contains(GS1Characters.string(data)) else {
                return "\(GS1Characters.string(data)) is not a package type code"
            }
            return nil
        case .iban: return Self.ibanProblem(data)
        case .couponCode: return CouponCodeLinter.couponCodeProblem(data, referenceYear: context.referenceYear)
        case .couponPositiveOffer: return CouponCodeLinter.positiveOfferProblem(data)
        }
    }

    /// The name of the GS1 key whose check digit an AI carries, for messages such as "GTIN check digit is 4".
    static func keyName(forAI ai: String) -> String {
        switch ai {
        case "00": return "SSCC"
        case "01", "02", "03", "8006", "8026": return "GTIN"
        case "253": return "GDTI"
        case "255": return "GCN"
        case "402": return "GSIN"
        case "8003": return "GRAI"
        case "8017", "8018": return "GSRN"
        default: return ai.hasPrefix("41") ? "GLN" : "key"
        }
    }

    private static func checkDigitProblem(_ data: ArraySlice<UInt8>, ai: String) -> String? {
        guard let last = data.last, GS1Characters.isDigit(last),
            let expected = GS1CheckDigit.compute(forDigits: data.dropLast())
        else { return "check digit cannot be computed from non-digits" }
        let actual = last - UInt8(ascii: "0")
        guard actual != expected else { return nil }
        return "\(keyName(forAI: ai)) check digit is \(actual), expected \(expected)"
    }

    private static func checkPairProblem(_ data: ArraySlice<UInt8>) -> String? {
        guard data.count >= 2 else { return "too short to hold a check character pair" }
        guard let (first, second) = GS1CheckDigit.checkCharacterPair(for: data.dropLast(2)) else {
            return "too long for the check character pair"
        }
        let actual = GS1Characters.string(data.suffix(2))
        let expected = GS1Characters.string([first, second])
        return actual == expected ? nil : "check characters are \(actual), expected \(expected)"
    }

    private static func companyPrefixProblem(_ data: ArraySlice<UInt8>) -> String? {
        guard data.count >= 4 else { return "too short to start with a GS1 Company Prefix" }
        return data.prefix(4).allSatisfy(GS1Characters.isDigit) ? nil : "does not start with a GS1 Company Prefix"
    }

    static func number<C: Collection>(_ data: C) -> Int? where C.Element == UInt8 {
        guard !data.isEmpty, data.count <= 18 else { return nil }
        var value = 0
        for byte in data {
            guard GS1Characters.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func rangeProblem(_ data: ArraySlice<UInt8>, _ range: ClosedRange<Int>, _ name: String) -> String? {
        guard let value = number(data), range.contains(value) else {
            return "\(name) \(GS1Characters.string(data)) is not \(name == "hour" ? "an" : "a") \(name)"
        }
        return nil
    }

    private static func oneOf(_ data: ArraySlice<UInt8>, _ allowed: String, _ message: String) -> String? {
        guard data.count == 1, let byte = data.first, allowed.utf8.contains(byte) else { return message }
        return nil
    }

    private static func dateProblem(
        _ data: ArraySlice<UInt8>, fourDigitYear: Bool, dayZeroAllowed: Bool, _ referenceYear: Int
    ) -> String? {
        guard data.count == (fourDigitYear ? 8 : 6), let _ = number(data) else { return "not a date" }
        let yearDigits = fourDigitYear ? 4 : 2
        let rawYear = number(data.prefix(yearDigits))!
        let year = fourDigitYear ? rawYear : GS1Date.fullYear(twoDigit: rawYear, referenceYear: referenceYear)
        let month = number(data.dropFirst(yearDigits).prefix(2))!
        let day = number(data.suffix(2))!
        guard (1...12).contains(month) else { return "month \(GS1Date.twoDigits(month)) is not a month" }
        if day == 0 { return dayZeroAllowed ? nil : "day 00 is not a date" }
        if day > 31 { return "day \(day) is not a date" }
        let length = GS1Date.daysIn(month: month, year: year)
        if day > length {
            return "day \(day) is not a date: \(year)-\(GS1Date.twoDigits(month)) has \(length) days"
        }
        return nil
    }

    private static func pieceOfTotalProblem(_ data: ArraySlice<UInt8>) -> String? {
        guard !data.isEmpty, data.count % 2 == 0, data.allSatisfy(GS1Characters.isDigit) else {
            return "piece and total must be digits of equal width"
        }
        let piece = Array(data.prefix(data.count / 2))
        let total = Array(data.suffix(data.count / 2))
        if piece.allSatisfy({ $0 == UInt8(ascii: "0") }) { return "piece number is zero" }
        if total.allSatisfy({ $0 == UInt8(ascii: "0") }) { return "total number of pieces is zero" }
        if piece.lexicographicallyPrecedes(total) || piece == total { return nil }
        return "piece \(GS1Characters.string(piece)) is more than the total \(GS1Characters.string(total))"
    }

    private static func coordinateProblem(_ data: ArraySlice<UInt8>, _ name: String, maximum: Int) -> String? {
        guard data.count == 10, let value = number(data), value <= maximum else {
            return "\(name) \(GS1Characters.string(data)) is not between 0000000000 and \(maximum)"
        }
        return nil
    }

    private static func percentEncodingProblem(_ data: ArraySlice<UInt8>) -> String? {
        var index = data.startIndex
        while index < data.endIndex {
            if data[index] == UInt8(ascii: "%") {
                guard data.endIndex - index >= 3, DigitalLinkParser.hexValue(data[index + 1]) != nil,
                    DigitalLinkParser.hexValue(data[index + 2]) != nil
                else { return "bad percent-encoding at character \(index - data.startIndex + 1)" }
                index += 3
            } else {
                index += 1
            }
        }
        return nil
    }

    private static func positionInSequenceProblem(_ data: ArraySlice<UInt8>) -> String? {
        let parts = data.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2, let position = parts.first, let end = parts.last, !position.isEmpty, !end.isEmpty,
            position.allSatisfy(GS1Characters.isDigit), end.allSatisfy(GS1Characters.isDigit)
        else { return "\(GS1Characters.string(data)) is not a position in a sequence like 1/2" }
        if position.first == UInt8(ascii: "0") || end.first == UInt8(ascii: "0") {
            return "position and end must not start with 0"
        }
        if position.count > end.count || (position.count == end.count && end.lexicographicallyPrecedes(position)) {
            return "position \(GS1Characters.string(position)) is after the end \(GS1Characters.string(end))"
        }
        return nil
    }

    private static func ibanProblem(_ data: ArraySlice<UInt8>) -> String? {
        guard data.count >= 4 else { return "IBAN is too short" }
        guard GS1CodeLists.countriesAlpha2.contains(GS1Characters.string(data.prefix(2))) else {
            return "IBAN country \(GS1Characters.string(data.prefix(2))) is not an ISO 3166 alpha-2 code"
        }
        guard data.count <= 34 else { return "IBAN is longer than 34 characters" }
        guard data.count > 10 else { return "IBAN is too short" }
        var remainder = 0
        for byte in data.dropFirst(4) + data.prefix(4) {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): remainder = (remainder * 10 + Int(byte - 48)) % 97
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): remainder = (remainder * 100 + Int(byte - 55)) % 97
            default: return "IBAN character \(GS1Characters.describe(byte)) is not a digit or capital letter"
            }
        }
        return remainder == 1 ? nil : "IBAN check digits \(GS1Characters.string(data.dropFirst(2).prefix(2))) are wrong"
    }
}
