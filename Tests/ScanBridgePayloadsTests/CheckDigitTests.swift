import Testing

@testable import ScanBridgePayloads

@Suite("GS1 check digits")
struct CheckDigitTests {
    @Test(
        "Known keys from the GS1 General Specifications and common products",
        arguments: [
            "09501101530003", "4006381333931", "036000291452", "96385074", "106141411234567897", "80614141123458",
        ])
    func knownValid(_ key: String) {
        #expect(GS1CheckDigit.isValid(key))
    }

    @Test("Every single-digit change of a key is caught")
    func singleDigitMutationsAreCaught() {
        var random = SeededGenerator(seed: 0x5CA4_B41D)
        for _ in 0..<300 {
            let length = [8, 12, 13, 14, 18].randomElement(using: &random)!
            let key = GS1CheckDigit.appending(to: random.digits(length - 1))
            #expect(GS1CheckDigit.isValid(key))
            var bytes = Array(key.utf8)
            let position = Int.random(in: 0..<bytes.count, using: &random)
            let original = bytes[position]
            var replacement = original
            while replacement == original { replacement = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &random) }
            bytes[position] = replacement
            let mutated = String(decoding: bytes, as: UTF8.self)
            #expect(!GS1CheckDigit.isValid(mutated), "mutation \(key) → \(mutated) not caught")
            if length == 14 {
                let decoding = BarcodeDecoder.decode("]C101" + mutated)
                #expect(decoding.problems.contains { $0.ai == "01" && $0.reason.hasPrefix("GTIN check digit is") })
            }
        }
    }

    @Test("Alphanumeric check character pairs (GS1 General Specifications §7.9.5 examples)")
    func checkCharacterPair() {
        // Examples from the Syntax Dictionary's linter tests.
        for valid in ["1987654Ad4X4bL5ttr2310c2K", "12345678901234567890123NT"] {
            let bytes = Array(valid.utf8)
            let pair = GS1CheckDigit.checkCharacterPair(for: bytes.dropLast(2))
            #expect(pair.map { [$0.0, $0.1] } == Array(bytes.suffix(2)))
        }
    }
}
