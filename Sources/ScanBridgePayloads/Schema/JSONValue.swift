/// A JSON document as scanbridge reads it: numbers stay exact decimals, objects keep their key
/// order, and the whole value can be written back out.
///
/// Equality is JSON equality, the one JSON Schema's `enum`, `const` and `uniqueItems` use:
/// numbers compare mathematically (`1.0 == 1`), strings compare code point by code point (no
/// Unicode normalisation: `"ä"` and `"a\u{308}"` differ), objects compare regardless of key
/// order, and `true` never equals `1`.
public enum JSONValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name as JSON Schema spells it (`"null"`, `"boolean"`, `"number"`,
    /// `"string"`, `"array"`, `"object"`).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Compact JSON text.
    public var description: String { serialized() }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.number(let left), .number(let right)): left == right
        case (.string(let left), .string(let right)): left.utf8.elementsEqual(right.utf8)
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)): left == right
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0)
        case .bool(let value):
            hasher.combine(1)
            hasher.combine(value)
        case .number(let number):
            hasher.combine(2)
            hasher.combine(number)
        case .string(let string):
            // String hashing is normalisation-insensitive, which is coarser than our equality:
            // allowed for a hash.
            hasher.combine(3)
            hasher.combine(string)
        case .array(let items):
            hasher.combine(4)
            hasher.combine(items)
        case .object(let object):
            hasher.combine(5)
            hasher.combine(object)
        }
    }
}

/// A JSON object: members in document order, looked up by exact key (code point equality).
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Member: Sendable {
        public var key: String
        public var value: JSONValue
    }

    public private(set) var members: [Member] = []
    private var positions: [ExactKey: Int] = [:]

    public init() {}

    /// Builds an object from members in order; a later duplicate key replaces the earlier
    /// value in place.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        for (key, value) in members { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public func contains(key: String) -> Bool { positions[ExactKey(key)] != nil }

    /// Adds a member at the end; returns false (and changes nothing) if the key exists.
    @discardableResult
    public mutating func append(key: String, value: JSONValue) -> Bool {
        let exact = ExactKey(key)
        guard positions[exact] == nil else { return false }
        positions[exact] = members.count
        members.append(Member(key: key, value: value))
        return true
    }

    public subscript(key: String) -> JSONValue? {
        get { positions[ExactKey(key)].map { members[$0].value } }
        set {
            let exact = ExactKey(key)
            switch (positions[exact], newValue) {
            case (let position?, let value?):
                members[position].value = value
            case (nil, let value?):
                positions[exact] = members.count
                members.append(Member(key: key, value: value))
            case (let position?, nil):
                members.remove(at: position)
                positions[exact] = nil
                for index in position..<members.count { positions[ExactKey(members[index].key)] = index }
            case (nil, nil):
                break
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Equal when both have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: a sum of per-member hashes.
        var sum = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            sum &+= memberHasher.finalize()
        }
        hasher.combine(count)
        hasher.combine(sum)
    }
}

/// A dictionary key comparing strings by their UTF-8 bytes, i.e. code point by code point.
struct ExactKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(string)
    }
}
