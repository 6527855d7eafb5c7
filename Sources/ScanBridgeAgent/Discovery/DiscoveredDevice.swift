import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgeStore

/// A device node discovery found, and what scanbridge does with it: what `scanbridge devices`
/// prints and what the supervisor acts on.
public struct DiscoveredDevice: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        case open
        case ignored(String)
    }

    public var node: UdevDevice
    public var transport: DeviceTransport
    public var decision: Decision
    /// Why it may be opened: `profile honeywell-usb` or `devices[2]`.
    public var matchedBy: String?
    /// The profile that decodes its payloads.
    public var profileID: String?
    /// The operator's rule, when one matched.
    public var rule: AgentConfiguration.DeviceRule?
    /// Stable across replugs: the USB serial number where there is one, else the USB port.
    public var deviceID: String

    public var isOpened: Bool { decision == .open }

    public var identity: DeviceIdentity {
        DeviceIdentity(
            id: deviceID, vendorID: node.usb?.vendorID, productID: node.usb?.productID, serial: node.usb?.serial,
            firmware: node.usb?.firmware, transport: transport)
    }

    /// `usb:0c2e:0b61:17297B4F91`, or `usb:0c2e:0b61@pci-0000:00:14.0-usb-0:2` without a serial;
    /// `/ifN` for interfaces after the first.
    static func deviceID(for node: UdevDevice) -> String {
        guard let usb = node.usb else { return "node:" + (node.devnode ?? node.syspath) }
        var id = "usb:\(usb.vendorID):\(usb.productID)"
        if let serial = usb.serial {
            id += ":" + serial
        } else {
            // ID_PATH of an interface's node ends in ":1.0" (configuration.interface); the
            // device's port is what comes before it.
            let port = node.portPath.map { path in
                let last = path.split(separator: ":").last ?? ""
                let isInterface = last.contains(".") && last.allSatisfy { $0.isNumber || $0 == "." }
                return isInterface ? String(path[..<path.lastIndex(of: ":")!]) : path
            }
            id += "@" + (port ?? usb.syspath.split(separator: "/").last.map(String.init) ?? "?")
        }
        if let interface = node.interfaceNumber, interface > 0 { id += "/if\(interface)" }
        return id
    }
}

extension DiscoveredDevice {
    /// `device.attached`: where the device was found and what allowed it; records the device.
    func attachedEvent(device: DeviceIdentity) -> OutboxEntry {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("devnode", node.devnode)
        writer.field("subsystem", node.subsystem)
        writer.field("manufacturer", node.usb?.manufacturer)
        writer.field("product", node.usb?.product)
        writer.field("name", node.name)
        writer.field("interface", node.interfaceNumber.map(Int64.init))
        writer.field("port", node.portPath)
        writer.field("matched_by", matchedBy)
        writer.endObject()
        var entry = OutboxEntry.deviceEvent(.deviceAttached, data: writer.bytes, device: device)
        entry.effects.append(
            .device(
                DeviceRecord(
                    id: device.id, path: node.devnode, vendorID: node.usb?.vendorID, productID: node.usb?.productID,
                    serial: node.usb?.serial, firmware: node.usb?.firmware, transport: transport.rawValue,
                    profile: device.profile)))
        return entry
    }

    func detachedEvent(device: DeviceIdentity, reason: String) -> OutboxEntry {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("devnode", node.devnode)
        writer.field("reason", reason)
        writer.endObject()
        return OutboxEntry.deviceEvent(.deviceDetached, data: writer.bytes, device: device)
    }
}

extension OutboxEntry {
    /// An event about the device itself (no payload, no raw bytes).
    static func deviceEvent(_ type: EventType, data: [UInt8], device: DeviceIdentity) -> OutboxEntry {
        OutboxEntry(
            event: PendingEvent(
                type: type, occurredAt: .now(), device: device, data: data, raw: nil,
                clockSynchronized: SystemClock.isSynchronized))
    }
}
