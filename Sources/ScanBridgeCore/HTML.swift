/// A piece of markup. Built from string literals whose interpolations are escaped unless they
/// are `HTML` themselves, so text from the store (agent ids, device names, firmware, reasons)
/// cannot become markup by forgetting to escape it: escaping is what an interpolation does.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var markup: String

    public init(stringLiteral value: String) {
        markup = value
    }

    public init(stringInterpolation: StringInterpolation) {
        markup = stringInterpolation.markup
    }

    public var description: String { markup }

    public struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { markup += literal }

        /// Text, escaped for element content and double- or single-quoted attribute values.
        public mutating func appendInterpolation(_ text: some StringProtocol) { markup += HTML.escape(text) }

        public mutating func appendInterpolation(_ number: some BinaryInteger) { markup += String(number) }

        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        public mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { markup += part.markup }
        }

        /// One path segment of a link, percent-encoded (RFC 3986 unreserved characters stay),
        /// so an agent id can hold `/`, `?` or `#` and still name its own page.
        public mutating func appendInterpolation(pathSegment: some StringProtocol) {
            markup += HTML.percentEncoded(pathSegment)
        }
    }

    /// `&`, `<`, `>`, `"` and `'` as character references: safe in content and in quoted
    /// attribute values.
    public static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Every byte outside `A-Z a-z 0-9 - . _ ~` as `%XX` (UTF-8).
    public static func percentEncoded(_ text: some StringProtocol) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The markup of `parts`, one after another.
    public static func joined(_ parts: [HTML]) -> HTML {
        var html: HTML = ""
        for part in parts { html.markup += part.markup }
        return html
    }
}
