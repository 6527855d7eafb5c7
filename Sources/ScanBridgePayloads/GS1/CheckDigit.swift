/// GS1 check digits and check character pairs (GS1 General Specifications §7.9).
public enum GS1CheckDigit {
    /// The mod-10 check digit (weights 3,1,3,1… from the right) for the digits *before* the check digit, or nil when
    /// a byte is not a digit.
    public static func compute<C: Collection>(forDigits digits: C) -> UInt8? where C.Element == UInt8 {
        var sum = 0
        var weightThree = true
        for byte in digits.reversed() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            sum += weightThree ? 3 * digit : digit
            weightThree.toggle()
        }
        return UInt8((10 - sum % 10) % 10)
    }

    /// The mod-10 check digit for a string of digits, as a character.
    public static func compute(forDigits digits: String) -> Character? {
        compute(forDigits: Array(digits.utf8)).map { Character(Unicode.Scalar(UInt8(ascii: "0") + $0)) }
    }

    /// Whether the last digit of `digits` is the check digit of the others.
    public static func isValid(_ digits: String) -> Bool {
        let bytes = Array(digits.utf8)
        guard let last = bytes.last, last >= UInt8(ascii: "0"), last <= UInt8(ascii: "9"),
            let expected = compute(forDigits: bytes.dropLast())
        else { return false }
        return last - UInt8(ascii: "0") == expected
    }

    /// Appends the check digit to digits that lack one.
    public static func appending(to digits: String) -> String {
        guard let check = compute(forDigits: digits) else { return digits }
        return digits + String(check)
    }

    /// The characters of CSET 32, ordered by value, used for the alphanumeric check character pair.
    static let cset32: [UInt8] = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)

    /// The two check characters of the GS1 alphanumeric check character pair for `data` (the characters before the
    /// pair), or nil when a character is outside CSET 82 or the data is longer than the 97 prime weights cover.
    public static func checkCharacterPair<C: Collection>(for data: C) -> (UInt8, UInt8)? where C.Element == UInt8 {
        guard data.count <= primes.count else { return nil }
        var sum = 0
        for (index, byte) in data.reversed().enumerated() {
            guard let value = GS1Characters.cset82Value(byte) else { return nil }
            sum += value * primes[index]
        }
        sum %= 1021
        return (cset32[sum >> 5], cset32[sum & 31])
    }

    /// The first 97 primes: the weights of the alphanumeric check pair, rightmost character first.
    static let primes: [Int] = {
        var result: [Int] = []
        var candidate = 2
        while result.count < 97 {
            if !result.contains(where: { candidate % $0 == 0 }) { result.append(candidate) }
            candidate += 1
        }
        return result
    }()
}
