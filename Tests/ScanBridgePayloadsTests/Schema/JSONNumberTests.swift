import Testing

@testable import ScanBridgePayloads

@Suite struct JSONNumberTests {
    @Test func equalValuesCompareEqual() throws {
        let pairs = [
            ("1.0", "1"), ("1e2", "100"), ("-0", "0"), ("0.50", "5e-1"), ("12.3400E1", "123.4"), ("0e99", "0"),
        ]
        for (left, right) in pairs {
            #expect(JSONNumber(left)! == JSONNumber(right)!)
            #expect(JSONNumber(left)!.hashValue == JSONNumber(right)!.hashValue)
        }
        #expect(JSONNumber("1.0")!.literal == "1.0")
    }

    @Test func ordering() {
        let ascending = [
            "-1e400", "-100", "-2.5", "-1", "-0.001", "0", "1e-400", "0.1", "0.10000001", "1", "1.5", "9", "10",
            "123456789012345678901234567890", "1e400",
        ]
        let numbers = ascending.map { JSONNumber($0)! }
        for (index, number) in numbers.enumerated() {
            for (other, value) in numbers.enumerated() {
                #expect((number < value) == (index < other), "\(number) vs \(value)")
            }
        }
    }

    @Test func integers() {
        #expect(JSONNumber("1.0")!.isInteger)
        #expect(JSONNumber("1e2")!.isInteger)
        #expect(JSONNumber("-0.0")!.isInteger)
        #expect(!JSONNumber("1.5")!.isInteger)
        #expect(!JSONNumber("1e-1")!.isInteger)
        #expect(JSONNumber("2.50e1")!.exactInt == 25)
        #expect(JSONNumber("1e30")!.exactInt == nil)
        #expect(JSONNumber("-42")!.exactInt == -42)
    }

    @Test func refusesNonJSONLiterals() {
        for text in ["", "+1", "01", "1.", ".1", "1e", "0x10", "NaN", "Infinity", "1 ", " 1", "--1", "1e+-1"] {
            #expect(JSONNumber(text) == nil, "\(text)")
        }
    }

    @Test func canonicalLiterals() {
        #expect(JSONNumber("1.500")!.canonicalLiteral == "1.5")
        #expect(JSONNumber("15e-3")!.canonicalLiteral == "0.015")
        #expect(JSONNumber("1e2")!.canonicalLiteral == "100")
        #expect(JSONNumber("-12.5e1")!.canonicalLiteral == "-125")
        #expect(JSONNumber("1e300")!.canonicalLiteral == "1e300")
    }

    @Test(arguments: [
        ("10", "2", true), ("7", "2", false), ("4.5", "1.5", true), ("35", "1.5", false), ("0.0075", "0.0001", true),
        ("0.00751", "0.0001", false), ("1e308", "0.123456789", false), ("0.3", "0.1", true), ("1", "0.01", true),
        ("1.005", "0.01", false), ("0", "7", true), ("-12", "4", true), ("12", "-4", true), ("1e300", "1e-300", true),
        ("1e-300", "1e300", false), ("123456789012345678901234567890", "3", true),
        ("123456789012345678901234567891", "3", false),
        ("246913578024691357802469135780", "123456789012345678901234567890", true),
        ("246913578024691357802469135781", "123456789012345678901234567890", false), ("1e40", "2e39", true),
        ("1e40", "3e39", false), ("8e20", "6.4e3", true), ("1e9", "1024", false), ("1e10", "1024", true),
        ("1e20", "2.56", true),
    ])
    func multipleOf(_ value: String, _ divisor: String, _ expected: Bool) {
        #expect(JSONNumber(value)!.isMultiple(of: JSONNumber(divisor)!) == expected)
    }

    @Test func zeroDivisorIsNeverAMultiple() {
        #expect(!JSONNumber(5).isMultiple(of: JSONNumber(0)))
    }
}

@Suite struct JSONNumberDecimalTests {
    @Test(arguments: [
        ("1.5e3", "1500"), ("25e-3", "0.025"), ("-0.0", "0"), ("12.340", "12.34"), ("-7", "-7"), ("1e-1", "0.1"),
        ("123.456e1", "1234.56"),
    ])
    func plainDecimal(_ literal: String, _ expected: String) {
        #expect(JSONNumber(literal)!.plainDecimal() == expected)
    }

    @Test func plainDecimalRefusesHugeExpansions() {
        #expect(JSONNumber("1e999999")!.plainDecimal() == nil)
        #expect(JSONNumber("1e-999999")!.plainDecimal() == nil)
        #expect(JSONNumber("1e5")!.plainDecimal(maximumLength: 6) == "100000")
        #expect(JSONNumber("1e6")!.plainDecimal(maximumLength: 6) == nil)
    }

    @Test func shiftingIsExact() throws {
        let centimetres = try #require(JSONNumber("12.5"))
        let metres = try #require(centimetres.shifted(byPowerOfTen: -2))
        #expect(metres == JSONNumber("0.125")!)
        #expect(metres.plainDecimal() == "0.125")
        #expect(try JSONValue.parse(JSONValue.number(metres).serialized()) == .number(metres))
        #expect(JSONNumber(0).shifted(byPowerOfTen: 5) == JSONNumber(0))
        #expect(JSONNumber("1e999999999999")!.shifted(byPowerOfTen: 10) == nil)
    }
}
