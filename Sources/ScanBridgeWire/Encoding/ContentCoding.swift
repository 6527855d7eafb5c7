/// A batch body's `Content-Encoding` (RFC 9110 §8.4.1). Transport only: the signature,
/// `prev_sha256` and `Idempotency-Key` are always over the uncompressed bytes, so a resend
/// compresses the same bytes again and a receiver verifies what it inflated.
public enum ContentCoding: String, Sendable, CaseIterable, CustomStringConvertible {
    /// RFC 1952 at zlib level 6: every HTTP stack reads it.
    case gzip
    /// RFC 8878 at level 3: a little smaller than gzip and several times faster to make.
    case zstd

    public var description: String { rawValue }

    /// The coding a `Content-Encoding` field names: `nil` when absent or `identity`.
    /// `x-gzip` is gzip (RFC 9110 §8.4.1.3); a list of codings or anything else is refused.
    public static func named(in field: String?) throws(UnsupportedContentCoding) -> ContentCoding? {
        guard let field else { return nil }
        let name = field.lowercased().filter { $0 != " " && $0 != "\t" }
        switch name {
        case "", "identity": return nil
        case "gzip", "x-gzip": return .gzip
        case "zstd": return .zstd
        default: throw UnsupportedContentCoding(field: field)
        }
    }
}

/// A `Content-Encoding` this end does not read (the receiver answers 415).
public struct UnsupportedContentCoding: Error, Equatable, CustomStringConvertible {
    public let field: String

    public init(field: String) {
        self.field = field
    }

    public var description: String {
        "Content-Encoding \"\(field)\" is not supported — send gzip, zstd or no encoding"
    }
}
