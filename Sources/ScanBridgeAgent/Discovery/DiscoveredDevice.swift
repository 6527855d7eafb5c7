import ScanBridgeCore
import ScanBridgeDevices

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
