/// Decodes barcode data as a scanner delivers it: an optional AIM symbology identifier, then a GS1 element string
/// (GS-separated), the parenthesised human-readable form, a GS1 Digital Link URI, EAN/UPC digits, or anything else.
///
/// A pure function: no I/O, no traps, work linear in the input, which is capped at `maximumInputLength` bytes.
public enum BarcodeDecoder {
    /// Longer inputs are rejected without being read.
    public static let maximumInputLength = 4096

    /// Decodes text; GS separators are the character U+001D.
    public static func decode(_ text: String, referenceYear: Int = GS1Date.defaultReferenceYear) -> BarcodeDecoding {
        let count = text.utf8.count
        guard count <= maximumInputLength else { return tooLong(count) }
        return decode(Array(text.utf8), referenceYear: referenceYear)
    }

    private static func tooLong(_ count: Int) -> BarcodeDecoding {
        BarcodeDecoding(
            symbologyIdentifier: nil, symbology: nil, isGS1: false, form: .other, data: "", elements: [], gtin: nil,
            problems: [
                DecodingProblem(reason: "input is \(count) bytes, more than the \(maximumInputLength) we decode")
            ])
    }

    /// Decodes the bytes of one scan.
    /// - Parameter referenceYear: the year two-digit years are read around (GS1 sliding window); pass the current one.
    public static func decode(_ bytes: [UInt8], referenceYear: Int = GS1Date.defaultReferenceYear) -> BarcodeDecoding {
        guard bytes.count <= maximumInputLength else { return tooLong(bytes.count) }
        var result = BarcodeDecoding(
            symbologyIdentifier: nil, symbology: nil, isGS1: false, form: .other, data: "", elements: [], gtin: nil,
            problems: [])
        var body = bytes[...]
        if let aim = SymbologyIdentifier.prefix(of: bytes) {
            result.symbologyIdentifier = aim
            result.symbology = aim.symbologyName
            body = bytes.dropFirst(3)
        }
        result.data = GS1Characters.string(body)
        guard !body.isEmpty else {
            result.problems = [DecodingProblem(reason: "no data")]
            return result
        }
        let base = bytes.count - body.count
        let aim = result.symbologyIdentifier

        if let aim, aim.carriesPlainGTIN {
            decodePlainGTIN(body, base: base, aim: aim, into: &result)
        } else if let aim, aim.carriesGS1ElementString {
            let (fields, problems) = GS1ElementStringParser.split(body, base: base)
            finishGS1(fields, problems, form: .elementString, referenceYear: referenceYear, into: &result)
        } else if DigitalLinkParser.looksLikeDigitalLink(body) {
            let (fields, problems) = DigitalLinkParser.split(body)
            if fields.isEmpty, aim != nil {
                return result  // a URI that is not a Digital Link, in a symbology that need not carry GS1 data
            }
            finishGS1(fields, problems, form: .digitalLink, referenceYear: referenceYear, into: &result)
        } else if aim == nil, GS1HumanReadable.looksLikeHumanReadable(body) {
            let (fields, problems) = GS1HumanReadable.split(body, base: base)
            finishGS1(fields, problems, form: .humanReadable, referenceYear: referenceYear, into: &result)
        } else if aim == nil || aim?.code == "I" {
            decodeUnlabelled(body, base: base, referenceYear: referenceYear, into: &result)
        }
        return result
    }

    /// Data without an AIM identifier (or from ITF): GS-separated GS1 data, a GTIN, or plain text.
    private static func decodeUnlabelled(
        _ body: ArraySlice<UInt8>, base: Int, referenceYear: Int, into result: inout BarcodeDecoding
    ) {
        let allDigits = body.allSatisfy(GS1Characters.isDigit)
        let gtinLengths = result.symbologyIdentifier == nil ? [8, 12, 13, 14] : [14]
        if result.symbologyIdentifier == nil, body.contains(GS1Characters.groupSeparator) {
            let (fields, problems) = GS1ElementStringParser.split(body, base: base)
            finishGS1(fields, problems, form: .elementString, referenceYear: referenceYear, into: &result)
            return
        }
        if allDigits, gtinLengths.contains(body.count), GS1CheckDigit.isValid(GS1Characters.string(body)) {
            decodePlainGTIN(body, base: base, aim: result.symbologyIdentifier, into: &result)
            return
        }
        if result.symbologyIdentifier == nil {
            var attempt = result
            let (fields, problems) = GS1ElementStringParser.split(body, base: base)
            finishGS1(fields, problems, form: .elementString, referenceYear: referenceYear, into: &attempt)
            if attempt.isValid {
                result = attempt
                return
            }
        }
        if allDigits, gtinLengths.contains(body.count) {
            decodePlainGTIN(body, base: base, aim: result.symbologyIdentifier, into: &result)
        }
    }

    private static func finishGS1(
        _ fields: [GS1ElementStringParser.Field], _ structural: [DecodingProblem], form: BarcodeDecoding.Form,
        referenceYear: Int, into result: inout BarcodeDecoding
    ) {
        result.isGS1 = true
        result.form = form
        var problems = structural
        var gtin: String?
        for field in fields {
            let outcome = GS1ElementValidator.check(field.definition, value: field.value, referenceYear: referenceYear)
            result.elements.append(outcome.element)
            if let problem = outcome.problem {
                problems.append(DecodingProblem(ai: field.definition.ai, position: field.position, reason: problem))
            } else if field.definition.ai == "01", gtin == nil {
                gtin = outcome.element.value
            }
        }
        problems += GS1MessageRules.problems(result.elements)
        result.gtin = gtin
        result.problems = problems
    }

    /// EAN-13 / UPC-A / EAN-8 (and ITF-14) digits: checked and widened to GTIN-14.
    private static func decodePlainGTIN(
        _ body: ArraySlice<UInt8>, base: Int, aim: SymbologyIdentifier?, into result: inout BarcodeDecoding
    ) {
        result.form = .plainGTIN
        var digits = body
        let expected: [Int]
        switch aim.map({ "\($0.code)\($0.modifier)" }) {
        case "E4": expected = [8]
        case "E0": expected = [13, 12]
        case "E3":
            // EAN-13/UPC-A followed by a 2- or 5-digit add-on; the add-on is not part of the GTIN.
            expected = [13]
            if body.count == 15 || body.count == 18 { digits = body.prefix(13) }
        case nil: expected = [8, 12, 13, 14]
        default: expected = [14]
        }
        if let bad = body.firstIndex(where: { !GS1Characters.isDigit($0) }) {
            result.problems.append(
                DecodingProblem(
                    position: bad - body.startIndex + base,
                    reason: "\(GS1Characters.describe(body[bad])) is not a digit of a GTIN"))
            return
        }
        guard expected.contains(digits.count) else {
            let list = expected.map(String.init).joined(separator: " or ")
            result.problems.append(DecodingProblem(reason: "GTIN has \(digits.count) digits, expected \(list)"))
            return
        }
        let text = GS1Characters.string(digits)
        let actual = digits.last! - UInt8(ascii: "0")
        let check = GS1CheckDigit.compute(forDigits: digits.dropLast())!
        guard actual == check else {
            result.problems.append(
                DecodingProblem(
                    position: digits.endIndex - 1 - body.startIndex + base,
                    reason: "GTIN check digit is \(actual), expected \(check)"))
            return
        }
        let gtin = String(repeating: "0", count: 14 - text.count) + text
        result.gtin = gtin
        result.elements = [GS1Element(ai: "01", title: "GTIN", value: gtin)]
    }
}
