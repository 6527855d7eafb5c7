/// A JSON Pointer (RFC 6901): a path of reference tokens into a JSON document, written
/// `/qty/amount` with `~` escaped as `~0` and `/` as `~1`. The empty pointer is the root.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The unescaped reference tokens, outermost first.
    public private(set) var tokens: [String]

    public init(tokens: [String]) {
        self.tokens = tokens
    }

    public init(arrayLiteral tokens: String...) {
        self.tokens = tokens
    }

    public static let root = JSONPointer(tokens: [])

    /// Why a text is not a JSON Pointer.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let text: String
        public let message: String
        public var description: String { "invalid JSON pointer \(JSONValue.string(text).serialized()): \(message)" }
    }

    /// Reads the string form (`""` or `/a/b~1c`).
    public init(_ text: String) throws(SyntaxError) {
        if text.isEmpty {
            self.tokens = []
            return
        }
        guard text.first == "/" else {
            throw SyntaxError(text: text, message: "must be empty or start with \"/\"")
        }
        var tokens: [String] = []
        for raw in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            var token: [UInt8] = []
            var index = raw.startIndex
            while index < raw.endIndex {
                let byte = raw[index]
                if byte == UInt8(ascii: "~") {
                    let next = raw.index(after: index)
                    guard next < raw.endIndex, raw[next] == UInt8(ascii: "0") || raw[next] == UInt8(ascii: "1") else {
                        throw SyntaxError(text: text, message: "\"~\" must be followed by \"0\" or \"1\"")
                    }
                    token.append(raw[next] == UInt8(ascii: "0") ? UInt8(ascii: "~") : UInt8(ascii: "/"))
                    index = raw.index(after: next)
                } else {
                    token.append(byte)
                    index = raw.index(after: index)
                }
            }
            tokens.append(String(decoding: token, as: UTF8.self))
        }
        self.tokens = tokens
    }

    /// Reads the URI fragment form used by `$ref` (`#`, `#/$defs/a%20b`): percent-decoded,
    /// then read as a pointer.
    public init(uriFragment: String) throws(SyntaxError) {
        guard uriFragment.first == "#" else {
            throw SyntaxError(text: uriFragment, message: "a URI fragment must start with \"#\"")
        }
        var decoded: [UInt8] = []
        let bytes = Array(uriFragment.utf8.dropFirst())
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = Self.hexValue(bytes[index + 1]),
                    let low = Self.hexValue(bytes[index + 2])
                else {
                    throw SyntaxError(text: uriFragment, message: "\"%\" must be followed by two hex digits")
                }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw SyntaxError(text: uriFragment, message: "percent-escapes do not form UTF-8 text")
        }
        try self.init(text)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Escapes one reference token (`~` → `~0`, `/` → `~1`).
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    /// The string form, e.g. `/qty/amount`; empty for the root.
    public var description: String {
        tokens.map { "/" + Self.escape($0) }.joined()
    }

    public var isRoot: Bool { tokens.isEmpty }

    /// The pointer to the value that contains this one; nil for the root.
    public var parent: JSONPointer? {
        isRoot ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    public func appending(index: Int) -> JSONPointer {
        appending(String(index))
    }

    public func appending(_ other: JSONPointer) -> JSONPointer {
        JSONPointer(tokens: tokens + other.tokens)
    }

    /// Whether `self` is `other` or lies inside it.
    public func hasPrefix(_ other: JSONPointer) -> Bool {
        tokens.count >= other.tokens.count
            && zip(tokens, other.tokens).allSatisfy { $0.utf8.elementsEqual($1.utf8) }
    }

    /// The value this pointer names in `document`, or nil when there is none. Array indexes
    /// must be written without leading zeros; `-` (past the end) names nothing.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Self.arrayIndex(token), index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The array index a token names (`0`, `12`; not `01`, `-1` or `-`).
    static func arrayIndex(_ token: String) -> Int? {
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy(JSONNumber.isDigit) else { return nil }
        if bytes.count > 1 && bytes[0] == UInt8(ascii: "0") { return nil }
        return Int(token)
    }

    public static func == (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        lhs.tokens.count == rhs.tokens.count && lhs.hasPrefix(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tokens)
    }
}
