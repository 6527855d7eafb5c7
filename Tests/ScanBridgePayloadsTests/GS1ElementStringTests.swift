import Testing

@testable import ScanBridgePayloads

@Suite("GS1 element strings")
struct GS1ElementStringTests {
    let gs = "\u{1D}"

    @Test("The issue's example: GTIN, net weight in kg, expiry date")
    func issueExample() {
        let decoding = BarcodeDecoder.decode("]C10109501101530003" + "3103001234" + "17260101")
        #expect(decoding.isValid)
        #expect(decoding.symbology == "gs1-128")
        #expect(decoding.isGS1)
        #expect(decoding.gtin == "09501101530003")
        #expect(
            decoding.elements == [
                GS1Element(ai: "01", title: "GTIN", value: "09501101530003"),
                GS1Element(ai: "3103", title: "NET WEIGHT (kg)", value: "001234", decimal: "1.234", unit: "KGM"),
                GS1Element(ai: "17", title: "USE BY or EXPIRY", value: "260101", date: "2026-01-01"),
            ])
        #expect(decoding.humanReadable == "(01)09501101530003(3103)001234(17)260101")
    }

    @Test("Predefined-length AIs need no separator; variable-length ones end at GS")
    func separators() {
        let decoding = BarcodeDecoder.decode("]C1" + "0109501101530003" + "10AB-123" + gs + "17260101" + "21XYZ")
        #expect(decoding.isValid, "\(decoding.problems)")
        #expect(decoding.elements.map(\.ai) == ["01", "10", "17", "21"])
        #expect(decoding.element("10")?.value == "AB-123")
        #expect(decoding.element("21")?.value == "XYZ")
    }

    @Test("A fixed-length AI outside the predefined table still needs a GS")
    func fixedButNotPredefined() {
        // (422) is N3 but not predefined-length: without GS it swallows what follows.
        let withoutGS = BarcodeDecoder.decode("]C1" + "0109501101530003" + "422276" + "10ABC")
        #expect(withoutGS.problems.map(\.description).contains("AI (422): data has 8 characters, expected 3"))
        let withGS = BarcodeDecoder.decode("]C1" + "0109501101530003" + "422276" + gs + "10ABC")
        #expect(withGS.isValid, "\(withGS.problems)")
    }

    @Test("A leading FNC1/GS and a GS after a predefined-length field are tolerated")
    func toleratedSeparators() {
        let decoding = BarcodeDecoder.decode(gs + "0109501101530003" + gs + "17260101")
        #expect(decoding.isValid, "\(decoding.problems)")
        #expect(decoding.elements.count == 2)
    }

    @Test(
        "Dates, including DD = 00 and leap years",
        arguments: [
            ("17260100", "2026-01", nil),
            ("17240229", "2024-02-29", nil),
            ("17250229", nil, "AI (17): day 29 is not a date: 2025-02 has 28 days"),
            ("17260132", nil, "AI (17): day 32 is not a date"),
            ("17261301", nil, "AI (17): month 13 is not a month"),
            ("11991231", "1999-12-31", nil),
            ("7006260100", nil, "AI (7006): day 00 is not a date"),
        ] as [(String, String?, String?)])
    func dates(data: String, date: String?, error: String?) {
        let decoding = BarcodeDecoder.decode("]C10109501101530003" + data)
        #expect(decoding.elements.last?.date == date)
        #expect(decoding.problems.map(\.description).first == error)
    }

    @Test("Date and time fields become ISO 8601")
    func dateTimes() {
        let decoding = BarcodeDecoder.decode("]C10109501101530003" + "70032601011345" + gs + "8008260101134530")
        #expect(decoding.isValid, "\(decoding.problems)")
        #expect(decoding.element("7003")?.date == "2026-01-01T13:45")
        #expect(decoding.element("8008")?.date == "2026-01-01T13:45:30")
    }

    @Test(
        "Measures carry an exact decimal and a Rec 20 unit",
        arguments: [
            ("3100", "001234", "1234", "KGM"), ("3105", "012345", "0.12345", "KGM"), ("3112", "000150", "1.50", "MTR"),
            ("3120", "000007", "7", "MTR"), ("3133", "001000", "1.000", "MTR"), ("3141", "000015", "1.5", "MTK"),
            ("3153", "001500", "1.500", "LTR"), ("3160", "000002", "2", "MTQ"), ("3202", "000250", "2.50", "LBR"),
            ("3210", "000012", "12", "INH"), ("3220", "000003", "3", "FOT"), ("3230", "000003", "3", "YRD"),
            ("3510", "000010", "10", "FTK"), ("3561", "000010", "1.0", "APZ"), ("3570", "000012", "12", "OZA"),
            ("3610", "000001", "1", "GLL"), ("3650", "000001", "1", "FTQ"),
        ])
    func measures(ai: String, value: String, decimal: String, unit: String) {
        let decoding = BarcodeDecoder.decode("]C10109501101530003" + ai + value)
        #expect(decoding.isValid, "\(decoding.problems)")
        #expect(decoding.element(ai)?.decimal == decimal)
        #expect(decoding.element(ai)?.unit == unit)
    }

    @Test("Logistic measures and kg per m² need an SSCC or GTIN")
    func logisticMeasures() {
        let decoding = BarcodeDecoder.decode("]C1" + "00106141411234567897" + "3302001234" + "3370000250")
        #expect(decoding.element("3302")?.decimal == "12.34")
        #expect(decoding.element("3370")?.unit == "28")
    }

    @Test("Amounts and prices are exact decimals, with ISO 4217 currency where the AI carries one")
    func amounts() {
        let price = BarcodeDecoder.decode("]C10109501101530003" + "3103001234" + "3922" + "1250")
        #expect(price.isValid, "\(price.problems)")
        #expect(price.element("3922")?.decimal == "12.50")
        #expect(price.element("3922")?.currency == nil)

        let euro = BarcodeDecoder.decode("]C10109501101530003" + "3103001234" + "3933" + "978" + "5")
        #expect(euro.isValid, "\(euro.problems)")
        #expect(euro.element("3933")?.currency == "978")
        #expect(euro.element("3933")?.decimal == "0.005")

        let bad = BarcodeDecoder.decode("]C10109501101530003" + "3103001234" + "3932" + "999" + "1")
        #expect(bad.isValid)  // 999 is in ISO 4217 (no currency)
        let unknown = BarcodeDecoder.decode("]C10109501101530003" + "3103001234" + "3932" + "001" + "1")
        #expect(unknown.problems.map(\.description) == ["AI (3932): 001 is not an ISO 4217 currency code"])
    }

    @Test("Mandatory associations and invalid pairings")
    func messageRules() {
        let lotAlone = BarcodeDecoder.decode("]C110ABC")
        #expect(
            lotAlone.problems.map(\.description) == [
                "AI (10): requires AI (01), (02), (03), (8006) or (8026) in the same message"
            ])
        let both = BarcodeDecoder.decode("]C10109501101530003" + "0209501101530003" + "37" + "10")
        #expect(both.problems.map(\.description).contains("AI (02): must not be used with AI (01)"))
        let twoWeights = BarcodeDecoder.decode("]C10109501101530003" + "3103001234" + "3102001234")
        #expect(twoWeights.problems.map(\.description).contains("AI (3103): must not be used with AI (3102)"))
        let repeated = BarcodeDecoder.decode("]C10109501101530003" + "10A" + gs + "10B")
        #expect(repeated.problems.map(\.description) == ["AI (10): appears twice with different values"])
    }

    @Test("Errors say where and why")
    func errorMessages() {
        #expect(
            BarcodeDecoder.decode("]C10109501101530004").problems.map(\.description) == [
                "AI (01): GTIN check digit is 4, expected 3"
            ])
        #expect(
            BarcodeDecoder.decode("]C1" + "0109501101530003" + "0412").problems.map(\.description) == [
                "position 19: no Application Identifier starts with \"0412\""
            ])
        #expect(
            BarcodeDecoder.decode("]C1" + "0109501101530003" + "10AB^C").problems.map(\.description) == [
                "AI (10): '^' at data position 3 is not in GS1 character set 82"
            ])
        #expect(
            BarcodeDecoder.decode("]C1" + "01095011015300").problems.map(\.description) == [
                "AI (01): data has 12 characters, expected 14"
            ])
        #expect(
            BarcodeDecoder.decode("]C1" + "0109501101530003" + "10" + String(repeating: "A", count: 21))
                .problems.map(\.description) == ["AI (10): data has 21 characters, expected 1 to 20"])
        #expect(
            BarcodeDecoder.decode("]C1" + "0109501101530003" + "3103" + "0012A4").problems.map(\.description) == [
                "AI (3103): 'A' at data position 5 is not a digit"
            ])
    }

    @Test("Inputs over the cap are refused without being parsed")
    func inputCap() {
        let decoding = BarcodeDecoder.decode([UInt8](repeating: UInt8(ascii: "1"), count: 5000))
        #expect(decoding.problems.map(\.description) == ["input is 5000 bytes, more than the 4096 we decode"])
        #expect(BarcodeDecoder.decode([]).problems.map(\.description) == ["no data"])
    }

    @Test("The full table is generated from the Syntax Dictionary")
    func table() throws {
        #expect(ApplicationIdentifierDefinition.all.count == 541)
        let gtin = try #require(ApplicationIdentifierDefinition.named("01"))
        #expect(gtin.predefinedLength && gtin.minimumLength == 14 && gtin.maximumLength == 14)
        #expect(gtin.components.first?.linters.contains(.checkDigit) == true)
        let lot = try #require(ApplicationIdentifierDefinition.named("10"))
        #expect(!lot.predefinedLength && lot.minimumLength == 1 && lot.maximumLength == 20)
        let amount = try #require(ApplicationIdentifierDefinition.named("3932"))
        #expect(amount.components.first?.linters == [.currencyCode])
        #expect(ApplicationIdentifierDefinition.named("3106") == nil)
        #expect(ApplicationIdentifierDefinition.named("99")?.maximumLength == 90)
        // AIs are prefix-free: no AI is a prefix of another.
        let names = ApplicationIdentifierDefinition.all.map(\.ai)
        for a in names { for b in names where a != b { #expect(!b.hasPrefix(a)) } }
    }

    @Test("Every AI with a check digit catches a wrong one")
    func everyCheckDigitAI() {
        for definition in ApplicationIdentifierDefinition.all
        where definition.components.first?.linters.contains(.checkDigit) == true {
            let length = definition.components[0].maximumLength
            let body = String(repeating: "1", count: length - 1)
            let good = GS1CheckDigit.appending(to: body)
            var bad = body + (good.last == "0" ? "1" : "0")
            if definition.components.count > 1, !definition.components[1].isOptional { bad += "0101" }
            let problems = GS1ElementValidator.check(definition, value: Array(bad.utf8)[...], referenceYear: 2026)
            #expect(problems.problem?.contains("check digit is") == true, "AI \(definition.ai)")
        }
    }
}
