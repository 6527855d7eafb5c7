import ScanBridgeCore
import ScanBridgeDevices

/// What `scanbridge devices` prints: every node discovery finds now and the configured serial
/// ports, each with the decision the agent makes about it.
public enum DeviceListing {
    public struct Entry: Sendable, Equatable {
        public var devnode: String
        public var subsystem: String
        public var usb: USBIdentity?
        public var interface: Int?
        public var transport: DeviceTransport
        public var deviceID: String
        public var matchedBy: String?
        public var profile: String?
        public var opened: Bool
        public var reason: String?
        public var name: String?
    }

    public static func entries(
        configuration: AgentConfiguration, catalog: ProfileCatalog
    ) throws(DiscoveryError) -> [Entry] {
        let matcher = DeviceMatcher(rules: configuration.rules, catalog: catalog)
        var entries: [Entry] = configuration.devices.enumerated().map { index, device in
            Entry(
                devnode: device.path, subsystem: "tty", usb: nil, interface: nil, transport: .serial,
                deviceID: device.deviceID, matchedBy: "devices[\(index)].path", profile: device.profileID, opened: true,
                reason: nil, name: nil)
        }
        let configured = Set(configuration.devices.map(\.path))
        guard configuration.discovery else { return entries }
        for node in try UdevContext().enumerate() {
            guard let found = matcher.classify(node) else { continue }
            if let devnode = node.devnode, configured.contains(devnode) { continue }
            var reason: String?
            if case .ignored(let why) = found.decision { reason = why }
            entries.append(
                Entry(
                    devnode: node.devnode ?? node.syspath, subsystem: node.subsystem, usb: node.usb,
                    interface: node.interfaceNumber, transport: found.transport, deviceID: found.deviceID,
                    matchedBy: found.matchedBy, profile: found.profileID, opened: found.isOpened, reason: reason,
                    name: node.name))
        }
        return entries
    }

    /// One JSON object: `{"devices": [...]}`, every key always present.
    public static func json(_ entries: [Entry]) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("devices")
        writer.beginArray()
        for entry in entries {
            writer.beginObject()
            writer.field("devnode", entry.devnode)
            writer.field("subsystem", entry.subsystem)
            writer.field("vendor_id", entry.usb?.vendorID)
            writer.field("product_id", entry.usb?.productID)
            writer.field("serial", entry.usb?.serial)
            writer.field("firmware", entry.usb?.firmware)
            writer.field("manufacturer", entry.usb?.manufacturer)
            writer.field("product", entry.usb?.product)
            writer.field("name", entry.name)
            writer.field("interface", entry.interface.map(Int64.init))
            writer.field("transport", entry.transport.rawValue)
            writer.field("device_id", entry.deviceID)
            writer.field("matched_by", entry.matchedBy)
            writer.field("profile", entry.profile)
            writer.field("status", entry.opened ? "opened" : "ignored")
            writer.field("reason", entry.reason)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// One line per device, for people.
    public static func line(_ entry: Entry) -> String {
        let identity = entry.usb.map { "\($0.vendorID):\($0.productID)" } ?? "-"
        let status = entry.opened ? "opened" : "ignored: \(entry.reason ?? "")"
        return [
            entry.devnode, entry.subsystem, identity, "serial \(entry.usb?.serial ?? "-")",
            "firmware \(entry.usb?.firmware ?? "-")", entry.transport.rawValue,
            entry.matchedBy.map {
                $0 == "profile \(entry.profile ?? "")" ? $0 : "\($0) → profile \(entry.profile ?? "-")"
            }
                ?? "no match", status,
        ].joined(separator: "  ")
    }
}
