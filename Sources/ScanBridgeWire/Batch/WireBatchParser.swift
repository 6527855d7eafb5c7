import ScanBridgeCore

/// One pass over a batch body: checks that it is a single JSON object (RFC 8259, UTF-8) and
/// reads the envelope and each event's head, keeping each event's exact byte range.
///
/// The receiver parses every batch it accepts; a generic decoder building a document for
/// 500 events cost more than verifying the signature and storing them, so this reads only
/// what the receiver needs and skips the rest without allocating.
struct WireBatchParser {
    typealias Malformed = WireBatch.Malformed

    static let maximumDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Envelope

    mutating func batch() throws(Malformed) -> WireBatch {
        var agentID: String?
        var batchSeq: Int64?
        var previous: String??
        var createdAt: String?
        var events: [WireBatch.Event]?
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { throw Malformed(reason: "body is not a batch: expected a JSON object") }
        try members(depth: 1) { parser, key throws(Malformed) in
            switch key {
            case "agent_id":
                try Self.once(agentID == nil, key)
                agentID = try parser.requiredString(key)
            case "batch_seq":
                try Self.once(batchSeq == nil, key)
                batchSeq = try parser.requiredInteger(key)
            case "prev_sha256":
                try Self.once(previous == nil, key)
                previous = .some(try parser.optionalString(key))
            case "created_at":
                try Self.once(createdAt == nil, key)
                createdAt = try parser.requiredString(key)
            case "events":
                try Self.once(events == nil, key)
                events = try parser.events()
            default:
                try parser.skipValue(depth: 1)
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw fail("trailing bytes after the object") }
        guard let agentID else { throw Malformed(reason: "agent_id is missing") }
        guard let batchSeq else { throw Malformed(reason: "batch_seq is missing") }
        guard let previous else { throw Malformed(reason: "prev_sha256 is missing") }
        guard let createdAt else { throw Malformed(reason: "created_at is missing") }
        guard let events else { throw Malformed(reason: "events is missing") }
        return WireBatch(
            agentID: agentID, batchSeq: batchSeq, previousSHA256: previous, createdAt: createdAt, events: events)
    }

    private mutating func events() throws(Malformed) -> [WireBatch.Event] {
        guard peek == UInt8(ascii: "[") else { throw wrongType("events", expected: "an array") }
        index += 1
        var events: [WireBatch.Event] = []
        try list(closing: UInt8(ascii: "]")) { parser throws(Malformed) in
            events.append(try parser.event(at: events.count))
        }
        return events
    }

    private mutating func event(at position: Int) throws(Malformed) -> WireBatch.Event {
        var path: String { "events[\(position)]" }
        guard peek == UInt8(ascii: "{") else { throw wrongType(path, expected: "an object") }
        let start = index
        var id: String?
        var seq: Int64?
        var type: String?
        var occurredAt: String?
        var device = false
        var data = false
        try members(depth: 2) { parser, key throws(Malformed) in
            switch key {
            case "id":
                try Self.once(id == nil, "\(path).id")
                id = try parser.requiredString("\(path).id")
            case "seq":
                try Self.once(seq == nil, "\(path).seq")
                seq = try parser.requiredInteger("\(path).seq")
            case "type":
                try Self.once(type == nil, "\(path).type")
                type = try parser.requiredString("\(path).type")
            case "occurred_at":
                try Self.once(occurredAt == nil, "\(path).occurred_at")
                occurredAt = try parser.requiredString("\(path).occurred_at")
            case "device", "data":
                try Self.once(!(key == "device" ? device : data), "\(path).\(key)")
                guard parser.peek == UInt8(ascii: "{") else {
                    throw parser.wrongType("\(path).\(key)", expected: "an object")
                }
                try parser.skipValue(depth: 2)
                if key == "device" { device = true } else { data = true }
            default:
                try parser.skipValue(depth: 2)
            }
        }
        guard let id, let seq, let type, let occurredAt, device, data else {
            let missing = [
                ("id", id != nil), ("seq", seq != nil), ("type", type != nil), ("occurred_at", occurredAt != nil),
                ("device", device), ("data", data),
            ].first { !$0.1 }!.0
            throw Malformed(reason: "\(path).\(missing) is missing")
        }
        return WireBatch.Event(
            id: id, seq: seq, type: type, occurredAt: occurredAt, bytes: Array(bytes[start..<index]))
    }

    private static func once(_ first: Bool, _ path: @autoclosure () -> String) throws(Malformed) {
        guard first else { throw Malformed(reason: "\(path()) appears twice") }
    }

    // MARK: Typed values

    private mutating func requiredString(_ path: @autoclosure () -> String) throws(Malformed) -> String {
        switch peek {
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "n"): throw Malformed(reason: "\(path()) is null")
        default: throw wrongType(path(), expected: "a string")
        }
    }

    private mutating func optionalString(_ path: @autoclosure () -> String) throws(Malformed) -> String? {
        if peek == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        return try requiredString(path())
    }

    private mutating func requiredInteger(_ path: @autoclosure () -> String) throws(Malformed) -> Int64 {
        switch peek {
        case .some(UInt8(ascii: "-")), .some(UInt8(ascii: "0")...UInt8(ascii: "9")): break
        case UInt8(ascii: "n"): throw Malformed(reason: "\(path()) is null")
        default: throw wrongType(path(), expected: "an integer")
        }
        let start = index
        let integral = try number()
        guard integral, let value = Int64(decimal: bytes[start..<index]) else {
            throw Malformed(reason: "\(path()) must be an integer within 64 bits")
        }
        return value
    }

    private func wrongType(_ path: String, expected: String) -> Malformed {
        Malformed(reason: "\(path) has the wrong type: expected \(expected)")
    }

    // MARK: JSON grammar

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func fail(_ reason: String) -> Malformed {
        Malformed(reason: "invalid JSON at byte \(index): \(reason)")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard peek == byte else {
            throw fail(peek == nil ? "unexpected end" : "expected '\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    private mutating func literal(_ word: StaticString) throws(Malformed) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[index..<index + count])
        else { throw fail("unexpected character") }
        index += count
    }

    /// Walks the members of the object at `index`, handing each key (decoded only when
    /// `named`) to `visit` with the parser at the member's value; `visit` consumes the value.
    private mutating func members(
        depth: Int, named: Bool = true, _ visit: (inout WireBatchParser, String) throws(Malformed) -> Void
    ) throws(Malformed) {
        guard depth < Self.maximumDepth else { throw fail("nested deeper than \(Self.maximumDepth)") }
        try expect(UInt8(ascii: "{"))
        try list(closing: UInt8(ascii: "}")) { parser throws(Malformed) in
            guard parser.peek == UInt8(ascii: "\"") else { throw parser.fail("expected a member name") }
            let key = named ? try parser.string() : ""
            if !named { _ = try parser.stringRange() }
            parser.skipWhitespace()
            try parser.expect(UInt8(ascii: ":"))
            parser.skipWhitespace()
            try visit(&parser, key)
        }
    }

    /// A comma-separated list after its opening bracket, up to and including `close`.
    private mutating func list(
        closing close: UInt8, _ element: (inout WireBatchParser) throws(Malformed) -> Void
    ) throws(Malformed) {
        skipWhitespace()
        if peek == close {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(close)
            return
        }
    }

    private mutating func skipValue(depth: Int) throws(Malformed) {
        guard depth < Self.maximumDepth else { throw fail("nested deeper than \(Self.maximumDepth)") }
        switch peek {
        case nil: throw fail("unexpected end")
        case UInt8(ascii: "\""): _ = try stringRange()
        case UInt8(ascii: "{"):
            try members(depth: depth, named: false) { parser, _ throws(Malformed) in
                try parser.skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            index += 1
            try list(closing: UInt8(ascii: "]")) { parser throws(Malformed) in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case .some(UInt8(ascii: "-")), .some(UInt8(ascii: "0")...UInt8(ascii: "9")): _ = try number()
        default: throw fail("unexpected character")
        }
    }

    /// RFC 8259 number; true when it has neither fraction nor exponent.
    private mutating func number() throws(Malformed) -> Bool {
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, first.isDigit else { throw fail("bad number") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        var integral = true
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek, digit.isDigit else { throw fail("bad number: digits must follow '.'") }
            skipDigits()
            integral = false
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, digit.isDigit else { throw fail("bad number: digits must follow the exponent") }
            skipDigits()
            integral = false
        }
        return integral
    }

    private mutating func skipDigits() {
        while index < bytes.count, bytes[index].isDigit { index += 1 }
    }

    /// The string's contents between its quotes (escapes still in), checked for control
    /// characters, escapes and UTF-8; `escaped` says whether decoding is needed.
    private mutating func stringRange() throws(Malformed) -> (range: Range<Int>, escaped: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return (start..<index - 1, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                guard let kind = peek else { throw fail("unterminated escape") }
                index += 1
                switch kind {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, bytes[index..<index + 4].allSatisfy(\.isHexDigit) else {
                        throw fail("bad \\u escape")
                    }
                    index += 4
                default: throw fail("bad escape")
                }
            case 0..<0x20: throw fail("control character in string")
            case 0x20..<0x80: index += 1
            default: try skipUTF8Scalar()
            }
        }
        throw fail("unterminated string")
    }

    /// One multi-byte UTF-8 sequence.
    private mutating func skipUTF8Scalar() throws(Malformed) {
        guard let length = UTF8Validation.sequenceLength(in: bytes, at: index) else { throw fail("invalid UTF-8") }
        index += length
    }

    private mutating func string() throws(Malformed) -> String {
        let (range, escaped) = try stringRange()
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        return try Self.unescape(raw, at: range.lowerBound)
    }

    /// Decodes the escapes of a string already checked by `stringRange`. A lone surrogate
    /// has no Unicode scalar, so it is refused rather than replaced.
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>, at offset: Int) throws(Malformed) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32 {
            raw[at..<at + 4].reduce(0) { $0 << 4 | UInt32($1.hexValue) }
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let kind = raw[i + 1]
            i += 2
            switch kind {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"),
                    raw[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw Malformed(reason: "invalid JSON at byte \(offset + i): \\u escape of a lone surrogate")
                }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default: out.append(kind)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= 0x30 && self <= 0x39 }

    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }

    fileprivate var hexValue: UInt8 {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x41...0x46: self - 0x41 + 10
        default: self - 0x61 + 10
        }
    }
}

extension Int64 {
    /// A JSON integer's digits (optional '-'), or nil when it does not fit.
    fileprivate init?(decimal digits: Slice<UnsafeBufferPointer<UInt8>>) {
        var value: Int64 = 0
        var negative = false
        for byte in digits {
            if byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(negative ? -Int64(byte - 0x30) : Int64(byte - 0x30))
            guard !overflow, !overflow2 else { return nil }
            value = sum
        }
        self = value
    }
}
