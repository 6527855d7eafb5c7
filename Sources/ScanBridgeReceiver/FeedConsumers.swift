import Crypto
import ScanBridgeCore

/// A system allowed to read the feed, the agent list and the metrics (`receive consumer add`).
/// The store keeps the SHA-256 of its token, never the token: a copy of the database does not
/// let anyone read the feed.
public struct FeedConsumer: Sendable, Equatable {
    public var name: String
    public var createdAt: String
    /// Updated at most once a minute per receiver process, so reading the feed does not
    /// become a write per request.
    public var lastUsedAt: String?
    public var revokedAt: String?

    public var revoked: Bool { revokedAt != nil }

    public init(name: String, createdAt: String, lastUsedAt: String?, revokedAt: String?) {
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// A consumer that is not revoked, with the hash its bearer token must match.
public struct ConsumerCredential: Sendable, Equatable {
    public var name: String
    /// Hex SHA-256 of the token's UTF-8 bytes.
    public var tokenSHA256: String

    public init(name: String, tokenSHA256: String) {
        self.name = name
        self.tokenSHA256 = tokenSHA256
    }
}

/// Bearer tokens of feed consumers: 256 random bits, base64url without padding (43 characters).
public enum ConsumerToken {
    /// A new token from the system's cryptographic random source.
    public static func generate() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Base64.urlEncode($0) }
    }

    public static func sha256Hex(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }

    /// Compares every byte whatever the first difference, so the time taken tells nothing of
    /// how much of a guessed hash was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// The longest consumer name: it is a key in the store and appears in logs.
    public static let maximumNameBytes = 128

    /// Why `name` cannot name a consumer, or nil when it can.
    public static func problem(withName name: String) -> String? {
        if name.isEmpty || name.utf8.count > maximumNameBytes || name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        {
            return "a consumer name is 1…\(maximumNameBytes) bytes without control characters"
        }
        return nil
    }
}
