import ScanBridgeCore

/// Limits a parse enforces so a hostile payload cannot exhaust memory or the stack.
public struct JSONParsingLimits: Sendable, Equatable {
    /// Deepest nesting of arrays and objects.
    public var maximumDepth: Int
    /// Largest document, in bytes.
    public var maximumBytes: Int
    /// Longest number literal, in bytes.
    public var maximumNumberLength: Int

    public init(maximumDepth: Int = 256, maximumBytes: Int = 16 << 20, maximumNumberLength: Int = 4096) {
        self.maximumDepth = maximumDepth
        self.maximumBytes = maximumBytes
        self.maximumNumberLength = maximumNumberLength
    }

    public static let `default` = JSONParsingLimits()
}

/// Why a byte sequence is not a JSON document, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case emptyDocument
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case byteOrderMark
        case trailingContent
        case invalidUTF8
        case controlCharacterInString(UInt8)
        case invalidEscape
        case loneSurrogate
        case invalidNumber
        case numberTooLong(limit: Int)
        case exponentTooLarge
        case duplicateKey(String)
        case tooDeep(limit: Int)
        case tooLarge(limit: Int)
    }

    public let reason: Reason
    /// Offset of the offending byte from the start of the document.
    public let offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// What is wrong, in plain words, without the position.
    public var message: String {
        switch reason {
        case .emptyDocument: "the document is empty"
        case .unexpectedEnd: "the document ends too early"
        case .unexpectedByte(let byte): "unexpected \(Self.describe(byte))"
        case .byteOrderMark: "a byte order mark is not allowed"
        case .trailingContent: "unexpected content after the JSON value"
        case .invalidUTF8: "invalid UTF-8"
        case .controlCharacterInString(let byte): "unescaped control character \(Self.describe(byte)) in a string"
        case .invalidEscape: "invalid escape sequence in a string"
        case .loneSurrogate: "a \\u escape names half of a surrogate pair without the other half"
        case .invalidNumber: "invalid number"
        case .numberTooLong(let limit): "number literal longer than \(limit) bytes"
        case .exponentTooLarge: "number exponent too large"
        case .duplicateKey(let key): "duplicate object key \(JSONValue.string(key).serialized())"
        case .tooDeep(let limit): "nesting deeper than \(limit) levels"
        case .tooLarge(let limit): "document larger than \(limit) bytes"
        }
    }

    public var description: String { "\(message) at byte \(offset)" }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count < 2 ? "0" + hex : hex)"
    }
}

extension JSONValue {
    /// Parses a complete JSON document (RFC 8259, strictly).
    ///
    /// - Any JSON value may be the top level; only JSON whitespace may surround it.
    /// - Strings must be valid UTF-8; `\u` escapes must pair surrogates; unescaped control
    ///   characters are refused.
    /// - Duplicate object keys are refused: RFC 8259 leaves their meaning open, and a payload
    ///   such as `{"qty": 1, "qty": 100}` must never be read one way here and another way
    ///   elsewhere.
    /// - A leading byte order mark is refused.
    public static func parse(
        _ bytes: some Collection<UInt8>, limits: JSONParsingLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.maximumBytes else {
            throw JSONParseError(.tooLarge(limit: limits.maximumBytes), at: limits.maximumBytes)
        }
        var parser = JSONParser(bytes: Array(bytes), limits: limits)
        return try parser.parseDocument()
    }

    /// Parses JSON text.
    public static func parse(_ text: String, limits: JSONParsingLimits = .default) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }
}

/// A strict recursive-descent JSON reader over a byte array.
public struct JSONParser {
    private let bytes: [UInt8]
    private let limits: JSONParsingLimits
    private var position = 0

    public init(bytes: [UInt8], limits: JSONParsingLimits = .default) {
        self.bytes = bytes
        self.limits = limits
    }

    public mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.isEmpty { throw JSONParseError(.emptyDocument, at: 0) }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw JSONParseError(.byteOrderMark, at: 0)
        }
        skipWhitespace()
        if position == bytes.count { throw JSONParseError(.emptyDocument, at: position) }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw JSONParseError(.trailingContent, at: position) }
        return value
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONParseError) -> UInt8 {
        guard position < bytes.count else { throw JSONParseError(.unexpectedEnd, at: position) }
        return bytes[position]
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw JSONParseError(.unexpectedByte(byte), at: position)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            let actual = try peek()
            guard actual == byte else { throw JSONParseError(.unexpectedByte(actual), at: position) }
            position += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= limits.maximumDepth else {
            throw JSONParseError(.tooDeep(limit: limits.maximumDepth), at: position)
        }
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            let byte = try peek()
            guard byte == UInt8(ascii: "\"") else { throw JSONParseError(.unexpectedByte(byte), at: position) }
            let key = try parseString()
            skipWhitespace()
            let colon = try peek()
            guard colon == UInt8(ascii: ":") else { throw JSONParseError(.unexpectedByte(colon), at: position) }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            guard object.append(key: key, value: value) else {
                throw JSONParseError(.duplicateKey(key), at: keyOffset)
            }
            skipWhitespace()
            let separator = try peek()
            position += 1
            if separator == UInt8(ascii: "}") { return .object(object) }
            guard separator == UInt8(ascii: ",") else {
                throw JSONParseError(.unexpectedByte(separator), at: position - 1)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= limits.maximumDepth else {
            throw JSONParseError(.tooDeep(limit: limits.maximumDepth), at: position)
        }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            let separator = try peek()
            position += 1
            if separator == UInt8(ascii: "]") { return .array(items) }
            guard separator == UInt8(ascii: ",") else {
                throw JSONParseError(.unexpectedByte(separator), at: position - 1)
            }
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        while position < bytes.count, Self.isNumberByte(bytes[position]) {
            position += 1
            if position - start > limits.maximumNumberLength {
                throw JSONParseError(.numberTooLong(limit: limits.maximumNumberLength), at: start)
            }
        }
        do {
            return try JSONNumber(literalBytes: Array(bytes[start..<position]))
        } catch .invalid(let offset) {
            throw JSONParseError(.invalidNumber, at: start + offset)
        } catch {
            throw JSONParseError(.exponentTooLarge, at: start)
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default:
            false
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        position += 1  // opening quote
        var buffer: [UInt8] = []
        while true {
            guard position < bytes.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &buffer)
            case 0x00..<0x20:
                throw JSONParseError(.controlCharacterInString(byte), at: position)
            case 0x20..<0x80:
                buffer.append(byte)
                position += 1
            default:
                let length = try validateUTF8Sequence(at: position)
                buffer.append(contentsOf: bytes[position..<position + length])
                position += length
            }
        }
    }

    /// Length of the valid UTF-8 sequence starting at `offset`.
    private func validateUTF8Sequence(at offset: Int) throws(JSONParseError) -> Int {
        guard let length = UTF8Validation.sequenceLength(in: bytes, at: offset) else {
            throw JSONParseError(.invalidUTF8, at: offset)
        }
        return length
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        let start = position
        position += 1
        guard position < bytes.count else { throw JSONParseError(.unexpectedEnd, at: position) }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHexUnit()
            var scalarValue = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw JSONParseError(.loneSurrogate, at: start) }
                position += 2
                let low = try readHexUnit()
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONParseError(.loneSurrogate, at: start) }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw JSONParseError(.loneSurrogate, at: start)
            }
            // Valid by construction: surrogates were combined or refused above.
            buffer.append(contentsOf: UTF8.encodedBytes(Unicode.Scalar(scalarValue)!))
        default:
            throw JSONParseError(.invalidEscape, at: start)
        }
    }

    private mutating func readHexUnit() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw JSONParseError(.unexpectedEnd, at: position) }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(.invalidEscape, at: position)
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}

extension UTF8 {
    fileprivate static func encodedBytes(_ scalar: Unicode.Scalar) -> [UInt8] {
        var result: [UInt8] = []
        UTF8.encode(scalar) { result.append($0) }
        return result
    }
}
