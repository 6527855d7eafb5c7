/// An exact decimal number as written in a JSON document.
///
/// The value is kept as a sign, its significant decimal digits and a power-of-ten exponent, so
/// `1.0`, `1` and `1e0` are the same number and `0.1 + 0.2` problems never arise: scanbridge
/// never turns a payload quantity into binary floating point. The literal text is kept as well,
/// so a document re-serialises exactly as it was written.
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Significant digits (values 0…9), most significant first, without leading or trailing
    /// zeros; empty for zero.
    public let digits: [UInt8]
    /// The power of ten the digits are multiplied by.
    public let exponent: Int
    /// Whether the number is below zero (never true for zero: `-0` equals `0`).
    public let isNegative: Bool
    /// The JSON literal the number was read from, or a canonical literal for built values.
    public let literal: String

    /// The largest exponent magnitude a literal may carry; larger ones are refused rather than
    /// expanded.
    public static let maximumExponentMagnitude = 1_000_000_000_000

    /// Reads a JSON number literal (RFC 8259 grammar, nothing else: no `+`, no leading zeros,
    /// no `.5`, no `NaN`). Returns nil when `text` is not one.
    public init?(_ text: String) {
        guard let number = try? JSONNumber(literalBytes: Array(text.utf8)) else { return nil }
        self = number
    }

    /// The exact value of an integer.
    public init(_ value: Int) {
        self.init(integerText: String(value))
    }

    private init(integerText: String) {
        // Built from a valid integer's text, which always passes the grammar.
        self = try! JSONNumber(literalBytes: Array(integerText.utf8))
    }

    init(sign isNegative: Bool, digits rawDigits: [UInt8], exponent rawExponent: Int, literal: String) {
        var first = 0
        while first < rawDigits.count && rawDigits[first] == 0 { first += 1 }
        var end = rawDigits.count
        while end > first && rawDigits[end - 1] == 0 { end -= 1 }
        if first == end {
            self.digits = []
            self.exponent = 0
            self.isNegative = false
        } else {
            self.digits = Array(rawDigits[first..<end])
            self.exponent = rawExponent + (rawDigits.count - end)
            self.isNegative = isNegative
        }
        self.literal = literal
    }

    /// Why a byte sequence is not an acceptable number literal.
    enum LiteralProblem: Error, Equatable {
        case invalid(offset: Int)
        case exponentTooLarge
    }

    /// Reads a number literal from bytes that must hold exactly one literal.
    init(literalBytes bytes: [UInt8]) throws(LiteralProblem) {
        var index = 0
        let count = bytes.count
        var isNegative = false
        if index < count && bytes[index] == UInt8(ascii: "-") {
            isNegative = true
            index += 1
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(count)
        guard index < count, Self.isDigit(bytes[index]) else { throw .invalid(offset: index) }
        if bytes[index] == UInt8(ascii: "0") {
            digits.append(0)
            index += 1
        } else {
            while index < count && Self.isDigit(bytes[index]) {
                digits.append(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
        }
        var fractionCount = 0
        if index < count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < count, Self.isDigit(bytes[index]) else { throw .invalid(offset: index) }
            while index < count && Self.isDigit(bytes[index]) {
                digits.append(bytes[index] - UInt8(ascii: "0"))
                fractionCount += 1
                index += 1
            }
        }
        var writtenExponent = 0
        if index < count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            var exponentNegative = false
            if index < count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < count, Self.isDigit(bytes[index]) else { throw .invalid(offset: index) }
            while index < count && Self.isDigit(bytes[index]) {
                writtenExponent = writtenExponent * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                if writtenExponent > Self.maximumExponentMagnitude { throw .exponentTooLarge }
                index += 1
            }
            if exponentNegative { writtenExponent = -writtenExponent }
        }
        guard index == count else { throw .invalid(offset: index) }
        self.init(
            sign: isNegative, digits: digits, exponent: writtenExponent - fractionCount,
            literal: String(decoding: bytes, as: UTF8.self))
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Properties

    /// Whether the number is zero.
    public var isZero: Bool { digits.isEmpty }

    /// Whether the number has no fractional part (`1.0` and `1e2` are integers).
    public var isInteger: Bool { isZero || exponent >= 0 }

    /// -1, 0 or 1.
    public var signum: Int { isZero ? 0 : (isNegative ? -1 : 1) }

    /// The JSON literal.
    public var description: String { literal }

    /// A canonical literal: plain digits for moderate exponents, scientific notation otherwise.
    /// Equal numbers have equal canonical literals.
    public var canonicalLiteral: String {
        if isZero { return "0" }
        let text = String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        let sign = isNegative ? "-" : ""
        if exponent >= 0 && exponent <= 20 {
            return sign + text + String(repeating: "0", count: exponent)
        }
        if exponent < 0 && -exponent <= digits.count + 20 {
            let fractionDigits = -exponent
            if fractionDigits >= digits.count {
                return sign + "0." + String(repeating: "0", count: fractionDigits - digits.count) + text
            }
            let split = text.index(text.startIndex, offsetBy: digits.count - fractionDigits)
            return sign + text[..<split] + "." + text[split...]
        }
        return sign + text + "e" + String(exponent)
    }

    /// The number written without an exponent (`1.5e3` → `1500`, `25e-3` → `0.025`, `-0` →
    /// `0`), for exact decimal strings in events; nil when that would take more than
    /// `maximumLength` characters (as `1e999999` would).
    public func plainDecimal(maximumLength: Int = 1000) -> String? {
        if isZero { return "0" }
        let integerDigits = digits.count + exponent
        let length = (isNegative ? 1 : 0) + max(integerDigits, 1) + (exponent < 0 ? 1 + max(-exponent, 0) : 0)
        guard length <= maximumLength else { return nil }
        let text = String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        let sign = isNegative ? "-" : ""
        if exponent >= 0 { return sign + text + String(repeating: "0", count: exponent) }
        if integerDigits > 0 {
            let split = text.index(text.startIndex, offsetBy: integerDigits)
            return sign + text[..<split] + "." + text[split...]
        }
        return sign + "0." + String(repeating: "0", count: -integerDigits) + text
    }

    /// The number times 10^`power`, exactly (unit conversions such as cm → m); nil when the
    /// exponent would leave the supported range.
    public func shifted(byPowerOfTen power: Int) -> JSONNumber? {
        if isZero { return self }
        let (newExponent, overflow) = exponent.addingReportingOverflow(power)
        guard !overflow, abs(newExponent) <= Self.maximumExponentMagnitude else { return nil }
        let text = String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        return JSONNumber(
            sign: isNegative, digits: digits, exponent: newExponent,
            literal: (isNegative ? "-" : "") + text + "e" + String(newExponent))
    }

    /// The value as an `Int` when it is an integer that fits; nil otherwise.
    public var exactInt: Int? {
        guard isInteger else { return nil }
        if isZero { return 0 }
        guard digits.count + exponent <= 18 else { return nil }
        var value = 0
        for digit in digits { value = value * 10 + Int(digit) }
        for _ in 0..<exponent { value *= 10 }
        return isNegative ? -value : value
    }

    // MARK: Comparison

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        lhs.isNegative == rhs.isNegative && lhs.exponent == rhs.exponent && lhs.digits == rhs.digits
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(isNegative)
        hasher.combine(exponent)
        hasher.combine(digits)
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1 as `lhs` is below, equal to or above `rhs`.
    public static func compare(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
        let (left, right) = (lhs.signum, rhs.signum)
        if left != right { return left < right ? -1 : 1 }
        if left == 0 { return 0 }
        let magnitude = compareMagnitudes(lhs, rhs)
        return left > 0 ? magnitude : -magnitude
    }

    private static func compareMagnitudes(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
        // Position of the leading digit decides first; then the digits themselves.
        let leftLead = lhs.digits.count + lhs.exponent
        let rightLead = rhs.digits.count + rhs.exponent
        if leftLead != rightLead { return leftLead < rightLead ? -1 : 1 }
        for (left, right) in zip(lhs.digits, rhs.digits) where left != right {
            return left < right ? -1 : 1
        }
        if lhs.digits.count == rhs.digits.count { return 0 }
        return lhs.digits.count < rhs.digits.count ? -1 : 1
    }

    // MARK: Divisibility

    /// Whether `self` is an exact integer multiple of `divisor` (`divisor` must not be zero;
    /// for zero the answer is false). Works for any size of number without expanding
    /// exponents: `1e300` is a multiple of `1e-300`.
    public func isMultiple(of divisor: JSONNumber) -> Bool {
        if divisor.isZero { return false }
        if isZero { return true }
        // self = a·10^ea and divisor = b·10^eb with a, b not divisible by 10.
        // If ea < eb the quotient would need a to be divisible by 10: impossible.
        guard exponent >= divisor.exponent else { return false }
        let shift = exponent - divisor.exponent
        // b | a·10^shift  ⟺  b = 2^p·5^q·m with gcd(m, 10) = 1, and
        // v2(a) + shift ≥ p, v5(a) + shift ≥ q, m | a.
        var rest = DecimalNatural(digits: divisor.digits)
        let twos = rest.removeFactors(of: 2)
        let fives = rest.removeFactors(of: 5)
        if twos > shift || fives > shift {
            var own = DecimalNatural(digits: digits)
            if twos > shift && own.removeFactors(of: 2, upTo: twos - shift) < twos - shift { return false }
            own = DecimalNatural(digits: digits)
            if fives > shift && own.removeFactors(of: 5, upTo: fives - shift) < fives - shift { return false }
        }
        return DecimalNatural(digits: digits).isDivisible(by: rest)
    }
}

/// A natural number in base 10⁹ limbs (least significant first), with just the operations
/// `multipleOf` needs.
struct DecimalNatural: Equatable {
    private(set) var limbs: [UInt32]
    private static let base: UInt64 = 1_000_000_000

    init(digits: [UInt8]) {
        var limbs: [UInt32] = []
        limbs.reserveCapacity(digits.count / 9 + 1)
        var end = digits.count
        while end > 0 {
            let start = max(0, end - 9)
            var limb: UInt32 = 0
            for digit in digits[start..<end] { limb = limb * 10 + UInt32(digit) }
            limbs.append(limb)
            end = start
        }
        self.limbs = limbs
        trim()
    }

    var isZero: Bool { limbs.isEmpty }
    var isOne: Bool { limbs == [1] }

    private mutating func trim() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    /// Divides by a small divisor in place, returning the remainder.
    mutating func divide(by divisor: UInt32) -> UInt32 {
        var remainder: UInt64 = 0
        for index in limbs.indices.reversed() {
            let current = remainder * Self.base + UInt64(limbs[index])
            limbs[index] = UInt32(current / UInt64(divisor))
            remainder = current % UInt64(divisor)
        }
        trim()
        return UInt32(remainder)
    }

    func remainder(dividingBy divisor: UInt32) -> UInt32 {
        var remainder: UInt64 = 0
        for limb in limbs.reversed() {
            remainder = (remainder * Self.base + UInt64(limb)) % UInt64(divisor)
        }
        return UInt32(remainder)
    }

    /// Removes factors of `prime` (2 or 5) while they divide, at most `limit` of them; returns
    /// how many were removed.
    mutating func removeFactors(of prime: UInt32, upTo limit: Int = .max) -> Int {
        guard !isZero else { return 0 }
        var removed = 0
        // Large steps first: prime^k below 2^31 keeps the arithmetic in 64 bits.
        var power: UInt32 = 1
        var powerCount = 0
        while UInt64(power) * UInt64(prime) < (1 << 31) {
            power *= prime
            powerCount += 1
        }
        while removed + powerCount <= limit && remainder(dividingBy: power) == 0 {
            _ = divide(by: power)
            removed += powerCount
        }
        while removed < limit && remainder(dividingBy: prime) == 0 {
            _ = divide(by: prime)
            removed += 1
        }
        return removed
    }

    /// Whether `divisor` divides `self` (`divisor` not zero).
    func isDivisible(by divisor: DecimalNatural) -> Bool {
        if divisor.isOne || isZero { return true }
        if divisor.limbs.count == 1 { return remainder(dividingBy: divisor.limbs[0]) == 0 }
        // Long division one decimal digit at a time: remainder = remainder·10 + digit, then
        // subtract the divisor while it fits (at most nine times).
        var remainder = DecimalNatural(digits: [])
        for limb in limbs.reversed() {
            var divisorOfTen: UInt32 = 100_000_000
            for _ in 0..<9 {
                let digit = (limb / divisorOfTen) % 10
                divisorOfTen /= 10
                remainder.multiplyByTen(adding: digit)
                while remainder.compare(to: divisor) >= 0 { remainder.subtract(divisor) }
            }
        }
        return remainder.isZero
    }

    private mutating func multiplyByTen(adding digit: UInt32) {
        var carry = UInt64(digit)
        for index in limbs.indices {
            let current = UInt64(limbs[index]) * 10 + carry
            limbs[index] = UInt32(current % Self.base)
            carry = current / Self.base
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
    }

    private func compare(to other: DecimalNatural) -> Int {
        if limbs.count != other.limbs.count { return limbs.count < other.limbs.count ? -1 : 1 }
        for index in limbs.indices.reversed() where limbs[index] != other.limbs[index] {
            return limbs[index] < other.limbs[index] ? -1 : 1
        }
        return 0
    }

    /// Subtracts a number not larger than `self`.
    private mutating func subtract(_ other: DecimalNatural) {
        var borrow: Int64 = 0
        for index in limbs.indices {
            var current = Int64(limbs[index]) - borrow - (index < other.limbs.count ? Int64(other.limbs[index]) : 0)
            if current < 0 {
                current += Int64(Self.base)
                borrow = 1
            } else {
                borrow = 0
            }
            limbs[index] = UInt32(current)
        }
        trim()
    }
}
