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

/// Profiles shipped with the agent.
enum BuiltInProfiles {
    static let sources: [(name: String, json: String)] = [
        (
            "serial-lines",
            """
            {"id": "serial-lines", "version": 1, "framing": "lines", "decoder": "gs1",
             "description": "Any serial barcode scanner sending one scan per line: AIM symbology identifier and GS1 data decoded and checked where present, other symbologies as text."}
            """
        ),
        (
            "thingmagic-mercury",
            """
            {"id": "thingmagic-mercury", "version": 1, "framing": "mercury", "decoder": "epc",
             "description": "ThingMagic Mercury serial protocol (M5e, M6e, Micro, Nano, SparkFun Simultaneous RFID): Gen2 continuous reading; tag reports carry read count, RSSI in dBm and antenna.",
             "reader": {"baud": 115200,
                        "start": [{"command": "93", "data": "0005"},
                                  {"command": "2F", "data": "00000122000005072210001B03E801FF"}],
                        "stop": [{"command": "2F", "data": "000002"}],
                        "restart_after_quiet_ms": 10000}}
            """
        ),
        (
            "chafon-uhfreader18",
            """
            {"id": "chafon-uhfreader18", "version": 1, "framing": "chafon", "decoder": "epc",
             "description": "Chafon UHFReader18-style readers (CF-RU5102 and kin) in answer mode: the agent polls inventory (0x01); the 288/UR family's real-time output (0xEE) is decoded too.",
             "reader": {"baud": 57600, "address": "FF", "poll": {"command": "01"}, "poll_interval_ms": 100}}
            """
        ),
        (
            "chafon-realtime",
            """
            {"id": "chafon-realtime", "version": 1, "framing": "chafon", "decoder": "epc",
             "description": "Chafon UHFReader288/UR readers set to real-time (scan) mode: they stream 0xEE tag frames with antenna and raw RSSI unasked.",
             "reader": {"baud": 57600}}
            """
        ),
        (
            "em4100-ascii",
            """
            {"id": "em4100-ascii", "version": 1, "framing": "stx-hex-xor", "decoder": "epc",
             "description": "125 kHz EM4100 readers (RDM6300 class): STX, 10 hex digits, XOR checksum, ETX; ids reported as 10 hex digits.",
             "reader": {"baud": 9600}}
            """
        ),
        (
            "rfid-lines",
            """
            {"id": "rfid-lines", "version": 1, "framing": "lines", "decoder": "epc",
             "description": "ASCII RFID readers sending one read per line: EPC hex, optionally antenna and RSSI, comma-separated (override reader.pattern for other layouts).",
             "reader": {"baud": 9600}}
            """
        ),
    ]

    /// The scanner families of FACTS.md's vendor list, in whichever USB mode they are set to.
    static let usbScanners: [(name: String, vendorID: String, family: String)] = [
        ("zebra-usb", "05e0", "Zebra (Symbol, Motorola) USB scanners"),
        ("honeywell-usb", "0c2e", "Honeywell (Hand Held Products, Metrologic) USB scanners"),
        ("datalogic-usb", "05f9", "Datalogic USB scanners"),
        ("newland-usb", "1eab", "Newland USB scanners"),
    ]

    static func usbScannerSource(name: String, vendorID: String, family: String) -> (name: String, json: String) {
        (
            name,
            """
            {"id": "\(name)", "version": 1, "match": {"vendor_id": "\(vendorID)"}, "framing": "usb", "decoder": "gs1",
             "description": "\(family), in keyboard-wedge, HID POS or USB COM (CDC-ACM) mode: AIM symbology identifier and GS1 data decoded and checked where present, other symbologies as text."}
            """
        )
    }

    static func all() throws(ProfileLoadError) -> [DeviceProfile] {
        var profiles: [DeviceProfile] = []
        for source in sources + usbScanners.map(usbScannerSource) {
            profiles.append(try ProfileParser.parse(Array(source.json.utf8), source: "built-in:" + source.name))
        }
        return profiles
    }
}
