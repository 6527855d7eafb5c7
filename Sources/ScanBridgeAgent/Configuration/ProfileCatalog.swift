import Foundation
import ScanBridgePayloads

/// All profiles the agent knows: the built-in ones, then every `*.json` in the profile
/// directories (an operator's file with the same id and version replaces the built-in).
public struct ProfileCatalog: Sendable {
    public private(set) var profiles: [DeviceProfile] = []

    public static let systemDirectory = "/etc/scanbridge/profiles.d"

    public init(profiles: [DeviceProfile]) {
        self.profiles = profiles
    }

    public static func load(directories: [String]) throws(ProfileLoadError) -> ProfileCatalog {
        var catalog = ProfileCatalog(profiles: try BuiltInProfiles.all())
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw ProfileLoadError(source: directory, pointer: "", message: "cannot read profile directory")
            }
            for name in names.sorted() where name.hasSuffix(".json") {
                let path = directory + "/" + name
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ProfileLoadError(source: path, pointer: "", message: "cannot read")
                }
                catalog.add(try ProfileParser.parse(Array(data), source: path))
            }
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

    public func contains(id: String) -> Bool { profiles.contains { $0.id == id } }
}

/// Profiles shipped with the agent.
enum BuiltInProfiles {
    static let sources: [(name: String, json: String)] = [
        (
            "serial-lines",
            """
            {"id": "serial-lines", "version": 1, "framing": "lines", "decoder": "gs1",
             "description": "Any serial barcode scanner sending one scan per line: AIM symbology identifier and GS1 data decoded and checked where present, other symbologies as text."}
            """
        )
    ]

    static func all() throws(ProfileLoadError) -> [DeviceProfile] {
        var profiles: [DeviceProfile] = []
        for source in sources {
            profiles.append(try ProfileParser.parse(Array(source.json.utf8), source: "built-in:" + source.name))
        }
        return profiles
    }
}
