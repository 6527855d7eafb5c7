import ScanBridgeCore

/// A named, versioned set of profiles a profile authority signs, so one fix reaches every
/// agent of a fleet with proof of where it came from:
/// `{"bundle": NAME, "version": N, "created_at": RFC 3339, "profiles": [profile, …]}`.
///
/// The signature (a compact JWS, `ScanBridgeWire`'s `CompactJWS`, typ ``jwsType``) is checked
/// before this document is read; here only its shape and its profiles are.
public struct ProfileBundle: Sendable {
    /// The JWS `typ`: a signature made for anything else is never taken for a bundle.
    public static let jwsType = "scanbridge-profile-bundle+jws"

    public var name: String
    public var version: Int
    public var createdAt: String
    /// Each parsed as a profile file is, its source `bundle NAME@N`.
    public var profiles: [DeviceProfile]

    /// `bundle NAME@N`, as `profiles list` shows a profile's source.
    public var label: String { "bundle \(name)@\(version)" }

    /// The document for `profiles` (each already a valid profile document), keys in a fixed order.
    public static func document(name: String, version: Int, createdAt: Timestamp, profiles: [JSONValue]) -> [UInt8] {
        JSONValue.object(
            JSONObject([
                ("bundle", .string(name)), ("version", .number(JSONNumber(version))),
                ("created_at", .string(createdAt.iso8601)), ("profiles", .array(profiles)),
            ])
        ).serializedBytes()
    }

    /// Reads a bundle's payload; every profile must load as `profiles check` would load it,
    /// and no id and version may appear twice. Errors name the member (`/profiles/2/schema`).
    public static func parse(_ bytes: [UInt8]) throws(ProfileLoadError) -> ProfileBundle {
        func fail(_ pointer: String, _ message: String) -> ProfileLoadError {
            ProfileLoadError(source: "profile bundle", pointer: pointer, message: message)
        }
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw fail("", "not valid JSON: \(error)") }
        guard case .object(let root) = document else { throw fail("", "a bundle is one JSON object") }
        for key in root.keys where !["bundle", "version", "created_at", "profiles"].contains(key) {
            throw fail("/" + JSONPointer.escape(key), "unknown member; known: bundle, version, created_at, profiles")
        }
        guard case .string(let name)? = root["bundle"], Self.isValidName(name) else {
            throw fail("/bundle", "required: a name of letters, digits, '.', '_' or '-'")
        }
        guard case .number(let number)? = root["version"], let version = number.exactInt, version >= 1 else {
            throw fail("/version", "required: an integer ≥ 1")
        }
        guard case .string(let createdAt)? = root["created_at"], Timestamp(iso8601: createdAt) != nil else {
            throw fail("/created_at", "required: an RFC 3339 time")
        }
        guard case .array(let items)? = root["profiles"], !items.isEmpty else {
            throw fail("/profiles", "required: a non-empty array of profiles")
        }
        let label = "bundle \(name)@\(version)"
        var profiles: [DeviceProfile] = []
        for (index, item) in items.enumerated() {
            let profile: DeviceProfile
            do { profile = try ProfileParser.parse(item, source: label) } catch {
                throw fail("/profiles/\(index)" + error.pointer, error.message)
            }
            if profiles.contains(where: { $0.id == profile.id && $0.version == profile.version }) {
                throw fail("/profiles/\(index)", "\(profile.name) appears twice")
            }
            profiles.append(profile)
        }
        return ProfileBundle(name: name, version: version, createdAt: createdAt, profiles: profiles)
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100
            && name.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
                    || "._-".unicodeScalars.contains($0)
            }
    }
}
