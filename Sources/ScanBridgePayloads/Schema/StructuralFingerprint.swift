/// The shape of a JSON value without its contents: the sorted set of key paths to its leaves
/// with their JSON types, e.g. `/qty/amount:number`, `/qty/unit:string`. Array elements share
/// the path segment `*` (`/items/*/sku:string`), so the number of elements does not change the
/// shape; empty objects and arrays appear as `/x:object` and `/x:array`. A scalar document is
/// `:string` (and so on).
///
/// Two payloads with equal fingerprints have the same structure; a firmware update that turns
/// `{"qty": 3}` into `{"qty": {"amount": 3, "unit": "kg"}}` changes it.
public struct StructuralFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// Sorted, distinct `path:type` entries.
    public let paths: [String]

    public init(_ value: JSONValue) {
        var found = Set<String>()
        Self.collect(value, prefix: "", into: &found)
        paths = found.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    public init(paths: [String]) {
        self.paths = Array(Set(paths)).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    private static func collect(_ value: JSONValue, prefix: String, into found: inout Set<String>) {
        switch value {
        case .object(let object) where !object.isEmpty:
            for member in object {
                collect(member.value, prefix: prefix + "/" + JSONPointer.escape(member.key), into: &found)
            }
        case .array(let items) where !items.isEmpty:
            for item in items { collect(item, prefix: prefix + "/*", into: &found) }
        default:
            found.insert(prefix + ":" + value.typeName)
        }
    }

    /// The entries joined by newlines.
    public var description: String { paths.joined(separator: "\n") }

    /// A short stable identifier: FNV-1a (64 bit) of the entries, as 16 hex digits.
    public var identifier: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (index, path) in paths.enumerated() {
            if index > 0 {
                hash ^= 0x0A
                hash = hash &* 0x0000_0100_0000_01B3
            }
            for byte in path.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
