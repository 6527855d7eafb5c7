import ScanBridgeCore

@testable import ScanBridgePayloads

/// A seeded generator so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var base: SplitMix64

    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }

    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &self))) })
    }

    mutating func cset82(_ count: Int) -> String {
        String((0..<count).map { _ in Character(Unicode.Scalar(GS1Characters.cset82.randomElement(using: &self)!)) })
    }
}

/// Writes a GS1 element string: AI + data, with a GS after every field that is not of predefined length.
enum ElementStringEncoder {
    static func encode(_ elements: [(String, String)]) -> String {
        var result = ""
        for (index, (ai, value)) in elements.enumerated() {
            result += ai + value
            let predefined = ApplicationIdentifierDefinition.named(ai)?.predefinedLength ?? false
            if !predefined, index < elements.count - 1 { result += "\u{1D}" }
        }
        return result
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let unreserved =
                GS1Characters.isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~")
            result += unreserved ? String(UnicodeScalar(byte)) : "%" + GS1Characters.hex(byte)
        }
        return result
    }
}

/// Writes EPC binary, most significant bit first (test-side encoder for round trips).
struct EPCBitWriter {
    private(set) var bits: [Bool] = []

    mutating func append(_ value: UInt64, bits count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append(value >> UInt64(shift) & 1 == 1) }
    }

    /// Hex of the bits, padded with zero bits to a multiple of 16 (whole words, as readers report them).
    var hex: String {
        var padded = bits
        while padded.count % 16 != 0 { padded.append(false) }
        var result = ""
        for start in stride(from: 0, to: padded.count, by: 4) {
            var nibble = 0
            for bit in padded[start..<start + 4] { nibble = nibble << 1 | (bit ? 1 : 0) }
            result += String(nibble, radix: 16, uppercase: true)
        }
        return result
    }
}
