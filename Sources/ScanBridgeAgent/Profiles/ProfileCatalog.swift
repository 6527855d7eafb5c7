import FoundationEssentials
import ScanBridgePayloads

/// All profiles the agent knows: the built-in ones, then the applied profile bundle's, then
/// every `*.json` in the profile directories. An operator's file with the same id and version
/// replaces a built-in one, and any file for an id sets the bundle's versions of that id
/// aside: the person at the box has the last word.
public struct ProfileCatalog: Sendable {
    public private(set) var profiles: [DeviceProfile] = []

    public static let systemDirectory = "/etc/scanbridge/profiles.d"

    public init(profiles: [DeviceProfile]) {
        self.profiles = profiles
    }

    public static func load(directories: [String], bundle: ProfileBundle? = nil) throws(ProfileLoadError)
        -> ProfileCatalog
    {
        var catalog = ProfileCatalog(profiles: try BuiltInProfiles.all())
        for profile in bundle?.profiles ?? [] { catalog.add(profile) }
        var fileIDs: Set<String> = []
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw ProfileLoadError(source: directory, pointer: "", message: "cannot read profile directory")
            }
            for name in names.sorted() where name.hasSuffix(".json") {
                let path = directory + "/" + name
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ProfileLoadError(source: path, pointer: "", message: "cannot read")
                }
                let profile = try ProfileParser.parse(Array(data), source: path)
                fileIDs.insert(profile.id)
                catalog.add(profile)
            }
        }
        if let bundle {
            catalog.profiles.removeAll { fileIDs.contains($0.id) && $0.source == bundle.label }
        }
        return catalog
    }

    public mutating func add(_ profile: DeviceProfile) {
        profiles.removeAll { $0.id == profile.id && $0.version == profile.version }
        profiles.append(profile)
    }

    /// The highest version of profile `id` whose match fits the device as it was (with the
    /// firmware it had when the payload arrived).
    public func resolve(
        id: String, vendorID: String? = nil, productID: String? = nil, serial: String? = nil, firmware: String?
    ) -> DeviceProfile? {
        profiles.filter {
            $0.id == id && $0.matches(vendorID: vendorID, productID: productID, serial: serial, firmware: firmware)
        }.max { $0.version < $1.version }
    }

    /// The profile that claims a USB device by its identity (highest version; an operator's
    /// profile for the exact product before a vendor-wide built-in one).
    public func claiming(vendorID: String, productID: String, serial: String?, firmware: String?) -> DeviceProfile? {
        profiles.filter {
            $0.match.vendorID != nil
                && $0.matches(vendorID: vendorID, productID: productID, serial: serial, firmware: firmware)
        }.max { Self.specificity($0) < Self.specificity($1) }
    }

    private static func specificity(_ profile: DeviceProfile) -> (Int, Int, Int, Int) {
        (
            profile.match.serial == nil ? 0 : 1, profile.match.productID == nil ? 0 : 1,
            profile.source.hasPrefix("built-in:") ? 0 : 1, profile.version
        )
    }

    public func contains(id: String) -> Bool { profiles.contains { $0.id == id } }
}
