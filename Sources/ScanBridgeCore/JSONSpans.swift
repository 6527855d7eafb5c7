/// Finds where values sit inside JSON text without building a document.
///
/// The receiver stores each event exactly as it was signed; slicing the body at the
/// positions found here keeps those bytes, which re-encoding a parsed value would not.
public enum JSONSpans {
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Byte ranges of the elements of the array under top-level `key`, or `nil` when the
    /// top-level object has no such key. Validates the structure of the whole text.
    public static func arrayElements(ofKey key: String, in bytes: [UInt8], maximumDepth: Int = 64)
        throws(Failure) -> [Range<Int>]?
    {
        var scanner = Scanner(bytes: bytes, maximumDepth: maximumDepth)
        var found: [Range<Int>]?
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"))
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let name = try scanner.string()
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                if name == Array(key.utf8), scanner.peek == UInt8(ascii: "[") {
                    found = try scanner.arrayElementRanges(depth: 1)
                } else {
                    try scanner.value(depth: 1)
                }
                scanner.skipWhitespace()
                if scanner.peek == UInt8(ascii: ",") {
                    scanner.index += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.fail("trailing bytes after the object") }
        return found
    }

    struct Scanner {
        let bytes: [UInt8]
        let maximumDepth: Int
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            guard peek == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
            index += 1
        }

        mutating func string() throws(Failure) -> [UInt8] {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while let c = peek {
                index += 1
                switch c {
                case UInt8(ascii: "\""): return out
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { throw fail("unterminated escape") }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let h = peek, h.isHexDigit else { throw fail("bad \\u escape") }
                            index += 1
                        }
                        out.append(0x3F)
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        out.append(0x3F)
                    default: throw fail("bad escape")
                    }
                case 0..<0x20: throw fail("control character in string")
                default: out.append(c)
                }
            }
            throw fail("unterminated string")
        }

        mutating func arrayElementRanges(depth: Int) throws(Failure) -> [Range<Int>] {
            guard depth < maximumDepth else { throw fail("nested deeper than \(maximumDepth)") }
            try expect(UInt8(ascii: "["))
            var ranges: [Range<Int>] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return ranges
            }
            while true {
                skipWhitespace()
                let start = index
                try value(depth: depth + 1)
                ranges.append(start..<index)
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return ranges
            }
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < maximumDepth else { throw fail("nested deeper than \(maximumDepth)") }
            guard let c = peek else { throw fail("unexpected end") }
            switch c {
            case UInt8(ascii: "\""):
                _ = try string()
            case UInt8(ascii: "["):
                _ = try arrayElementRanges(depth: depth)
            case UInt8(ascii: "{"):
                index += 1
                skipWhitespace()
                if peek == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                while true {
                    skipWhitespace()
                    _ = try string()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"))
                    skipWhitespace()
                    try value(depth: depth + 1)
                    skipWhitespace()
                    if peek == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "}"))
                    return
                }
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                while let d = peek,
                    d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".")
                        || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") || (d >= 0x30 && d <= 0x39)
                {
                    index += 1
                }
                if index == start { throw fail("bad number") }
            default:
                throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            for byte in word.utf8 { try expect(byte) }
        }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
