import PropertyBased
import Testing

@testable import ScanBridgePayloads

/// Random JSON values from a seed (the generator the property tests share).
struct RandomJSON {
    private var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    private mutating func next() -> UInt64 {
        // xorshift64*
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func number() -> JSONNumber {
        var text = below(3) == 0 ? "-" : ""
        text += below(4) == 0 ? "0" : String(1 + below(9)) + (0..<below(25)).map { _ in String(below(10)) }.joined()
        if below(2) == 0 { text += "." + (0..<(1 + below(20))).map { _ in String(below(10)) }.joined() }
        if below(3) == 0 { text += ["e", "E"][below(2)] + ["", "+", "-"][below(3)] + String(below(400)) }
        return JSONNumber(text)!
    }

    mutating func string() -> String {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "€",
            "\u{2028}", "😀", "\u{FFFF}", "\u{10FFFF}", "~",
        ]
        var result = String.UnicodeScalarView()
        for _ in 0..<below(12) { result.append(pool[below(pool.count)]) }
        return String(result)
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch below(depth > 4 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .number(number())
        case 3: return .string(string())
        case 4: return .array((0..<below(5)).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<below(5) { object[string()] = value(depth: depth + 1) }
            return .object(object)
        }
    }
}

@Suite struct JSONPropertyTests {
    @Test func serialiseThenParseGivesTheSameValue() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var random = RandomJSON(seed: seed)
            let value = random.value()
            let text = value.serialized()
            let parsed = try JSONValue.parse(text)
            #expect(parsed == value)
            // Same literals and key order: the text is reproduced byte for byte.
            #expect(parsed.serialized() == text)
            #expect(StructuralFingerprint(parsed) == StructuralFingerprint(value))
        }
    }

    @Test func numberOrderMatchesIntegerOrder() async {
        await propertyCheck(count: 300, input: Gen.int(in: -1_000_000...1_000_000), Gen.int(in: -1_000_000...1_000_000))
        { left, right in
            // Scaled spellings (12 as 1.2e1, 0.12e2, 120e-1) must compare like the integers.
            let a = JSONNumber("\(left).000e0")!
            let b = JSONNumber("\(right)0e-1")!
            #expect((a < b) == (left < right))
            #expect((a == b) == (left == right))
            #expect(a.exactInt == left)
        }
    }

    @Test func multipleOfMatchesIntegerArithmetic() async {
        await propertyCheck(
            count: 300, input: Gen.int(in: -100_000...100_000), Gen.int(in: 1...5_000), Gen.int(in: 0...6)
        ) { value, divisor, scale in
            // value·10^-scale is a multiple of divisor·10^-scale exactly when value % divisor == 0.
            let scaledValue = JSONNumber("\(value)e-\(scale)")!
            let scaledDivisor = JSONNumber("\(divisor)e-\(scale)")!
            #expect(scaledValue.isMultiple(of: scaledDivisor) == (value % divisor == 0))
        }
    }

    @Test func canonicalLiteralIsTheSameNumber() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var random = RandomJSON(seed: seed)
            let number = random.number()
            let canonical = JSONNumber(number.canonicalLiteral)
            #expect(canonical == number)
            #expect(canonical?.canonicalLiteral == number.canonicalLiteral)
        }
    }

    @Test func corruptedDocumentsFailWithAnOffsetInside() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 0...10_000), Gen.uint8()) {
            seed, position, byte in
            var random = RandomJSON(seed: seed)
            var bytes = random.value().serializedBytes()
            bytes[position % bytes.count] = byte
            do {
                let value = try JSONValue.parse(bytes)
                #expect(try JSONValue.parse(value.serializedBytes()) == value)
            } catch let error as JSONParseError {
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}
