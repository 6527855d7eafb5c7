/// A profile bundle as the receiver keeps it: the exact JWS a profile authority signed. The
/// receiver never holds the authority's key; agents verify the signature themselves, so the
/// store only has to hand back the same bytes it was given.
public struct PublishedBundle: Sendable, Equatable {
    public var name: String
    public var version: Int64
    /// The compact JWS, exactly as published and served.
    public var jws: String
    /// Hex SHA-256 of `jws`'s UTF-8 bytes: the `ETag` of `GET /v1/profile-bundle`.
    public var sha256: String
    public var publishedAt: String

    /// `NAME@N`, as the commands print it.
    public var label: String { "\(name)@\(version)" }

    public init(name: String, version: Int64, jws: String, sha256: String, publishedAt: String) {
        self.name = name
        self.version = version
        self.jws = jws
        self.sha256 = sha256
        self.publishedAt = publishedAt
    }
}

/// What publishing a bundle came to. A store has one current bundle, the highest version of
/// any name, so an agent can never be moved back to an older set of profiles by a replay of an
/// old publication.
public enum BundlePublication: Sendable, Equatable {
    case published(PublishedBundle)
    /// The version is not greater than the current bundle's; nothing was stored.
    case notNewer(current: PublishedBundle)
}
