import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading

/// The kinds of node a reader protocol can read, so a rule written for one kind of device never
/// opens another kind the same vendor's chip ends up in (a CH340 reader's rule, a CH340 keyboard).
struct ReadableNodes: Sendable, Equatable {
    /// nil: any kind (a rule or profile that names no protocol).
    var transports: Set<DeviceTransport>?
    /// What named the protocol, for the reason `scanbridge devices` gives: `framing mercury`.
    var because: String

    static let any = ReadableNodes(transports: nil, because: "")

    func reads(_ transport: DeviceTransport) -> Bool { transports?.contains(transport) ?? true }

    /// A serial framing reads ttys, keyboard settings evdev, `usb-vendor` the USB device; a
    /// rule's profile with a reader protocol reads ttys.
    static func of(_ rule: AgentConfiguration.DeviceRule, catalog: ProfileCatalog) -> ReadableNodes {
        if rule.transport == .usbVendor {
            return ReadableNodes(transports: [.usbVendor], because: "transport usb-vendor")
        }
        var transports: Set<DeviceTransport> = []
        var named: [String] = []
        if let framing = rule.settings.framing {
            transports.insert(.serial)
            named.append("framing \(framing.rawValue)")
        }
        if rule.keyboard != AgentConfiguration.DeviceRule.Keyboard() {
            transports.insert(.hidKeyboard)
            named.append("keymap/suffix settings")
        }
        if let id = rule.settings.profile, let profile = catalog.profiles.first(where: { $0.id == id }) {
            let profileNodes = of(profile)
            if let reads = profileNodes.transports {
                transports.formUnion(reads)
                named.append(profileNodes.because)
            }
        }
        return named.isEmpty ? .any : ReadableNodes(transports: transports, because: named.joined(separator: ", "))
    }

    /// A profile for a reader protocol (a framing other than `lines` or `usb`, or EPC tags) reads
    /// serial ports; any other profile whatever node its device has.
    static func of(_ profile: DeviceProfile) -> ReadableNodes {
        if profile.framing != "lines" && profile.framing != "usb" {
            return ReadableNodes(transports: [.serial], because: "profile \(profile.id) (framing \(profile.framing))")
        }
        if profile.decoder == .epc {
            return ReadableNodes(transports: [.serial], because: "profile \(profile.id) (RFID tags)")
        }
        return .any
    }
}

extension DeviceTransport {
    /// How `scanbridge devices` names the nodes of a transport.
    var nodeKind: String {
        switch self {
        case .serial: "serial ports"
        case .hidKeyboard: "keyboard (evdev) nodes"
        case .hidPOS: "HID POS (hidraw) nodes"
        case .usbVendor: "vendor-class USB interfaces"
        case .agent: "no nodes"
        }
    }
}
