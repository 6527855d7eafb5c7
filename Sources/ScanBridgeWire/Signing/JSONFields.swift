import FoundationEssentials

/// A JSON document read field by field (JWS protected headers, JWK files, key hand-overs):
/// what `JSONSerialization` gave as `[String: Any]`, decoded with FoundationEssentials'
/// `JSONDecoder`, so that the wire format needs no full Foundation. Callers check each field's
/// type themselves, as they did with `as? String`.
public enum JSONFields: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONFields])
    case object([String: JSONFields])

    /// The object `bytes` hold; nil when they are not JSON or not an object.
    public static func object(from bytes: some Sequence<UInt8>) -> [String: JSONFields]? {
        (try? JSONDecoder().decode(JSONFields.self, from: Data(bytes)))?.object
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONFields].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONFields].self))
        }
    }

    public var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var bool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    public var object: [String: JSONFields]? {
        if case .object(let value) = self { value } else { nil }
    }

    /// An array of objects (`as? [[String: Any]]`); nil when any element is not an object.
    public var objects: [[String: JSONFields]]? {
        guard case .array(let values) = self else { return nil }
        let objects = values.compactMap(\.object)
        return objects.count == values.count ? objects : nil
    }
}
