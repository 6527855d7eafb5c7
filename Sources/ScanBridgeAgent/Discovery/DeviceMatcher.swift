import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading

/// Decides, for each node udev reports, whether scanbridge may open it.
///
/// The allowlist is the whole of it: a node is opened only when a built-in or operator profile
/// claims its USB vendor (and product), or a `devices:` rule matches it, and the protocol the
/// rule or profile names reads that kind of node. A keyboard is opened only by a built-in
/// scanner family or by a rule or profile that names its product (or serial). Anything else
/// that types is listed as ignored and never opened, so scanbridge is never a keylogger.
public struct DeviceMatcher: Sendable {
    public let rules: [AgentConfiguration.DeviceRule]
    public let catalog: ProfileCatalog
    /// Reads a hidraw node's report descriptor (sysfs file); injectable for tests of the
    /// decision alone.
    let readDescriptor: @Sendable (String) throws(DeviceError) -> [UInt8]

    public init(
        rules: [AgentConfiguration.DeviceRule], catalog: ProfileCatalog,
        readDescriptor: @escaping @Sendable (String) throws(DeviceError) -> [UInt8] = HIDRawNode.reportDescriptor(at:)
    ) {
        self.rules = rules
        self.catalog = catalog
        self.readDescriptor = readDescriptor
    }

    /// nil for nodes that are neither keyboards, hidraw, USB serial ports nor anything a rule
    /// names (mice, virtual consoles, USB interfaces without nodes): they are not listed.
    public func classify(_ node: UdevDevice) -> DiscoveredDevice? {
        let transport: DeviceTransport
        if node.isUSBDevice {
            return classifyVendorInterface(node)
        }
        if node.isKeyboardEventNode {
            transport = .hidKeyboard
        } else if node.isHIDRawNode {
            transport = .hidPOS
        } else if node.isSerialPort {
            transport = .serial
        } else {
            return nil
        }
        var found = DiscoveredDevice(
            node: node, transport: transport, decision: .ignored(""), deviceID: DiscoveredDevice.deviceID(for: node))
        guard let usb = node.usb else {
            found.decision = .ignored(
                transport == .hidKeyboard
                    ? "keyboard not on USB: never opened (scanbridge reads only allowlisted scanners)"
                    : "not a USB device: configure it by path")
            return found
        }
        // The first rule that names this device and whose protocol reads this kind of node.
        var refusal: String?
        var chosen: Int?
        for (index, rule) in rules.enumerated() where rule.match.matches(usb, interface: node.interfaceNumber) {
            if let why = refusalReason(rule: rule, number: index + 1, transport: transport) {
                refusal = refusal ?? why
                continue
            }
            chosen = index
            break
        }
        let claimant = catalog.claiming(
            vendorID: usb.vendorID, productID: usb.productID, serial: usb.serial, firmware: usb.firmware)
        if let index = chosen {
            let rule = rules[index]
            found.rule = rule
            found.matchedBy = "devices rule \(index + 1)"
            if let id = rule.settings.id { found.deviceID = id }
            // The rule's profile, else the one claiming the vendor (a scanner family's), else
            // plain lines or the rule's framing.
            found.profileID =
                rule.settings.profile
                ?? (transport == .serial && rule.settings.framing != nil
                    ? rule.settings.framing!.defaultProfile
                    : claimant?.id ?? (rule.settings.framing ?? .lines).defaultProfile)
        } else if let profile = claimant, refusalReason(profile: profile, transport: transport) == nil {
            found.matchedBy = "profile \(profile.id)"
            found.profileID = profile.id
        } else {
            let fallback =
                transport == .hidKeyboard
                ? "a keyboard no profile or devices rule allows: never opened (scanbridge is not a keylogger)"
                : "no profile or devices rule matches \(usb.vendorID):\(usb.productID)"
            found.decision = .ignored(
                refusal ?? claimant.flatMap { refusalReason(profile: $0, transport: transport) } ?? fallback)
            return found
        }
        if transport == .hidPOS {
            guard let path = node.reportDescriptorPath else {
                found.decision = .ignored("no report descriptor path")
                return found
            }
            do {
                _ = try HIDPOSScanDecoder.layout(of: try readDescriptor(path))
            } catch let problem as HIDPOSDescriptorProblem {
                found.decision = .ignored(problem.description)
                return found
            } catch {
                found.decision = .ignored("cannot read its report descriptor: \(error)")
                return found
            }
        }
        found.decision = .open
        return found
    }

    /// Why rule `number` may not open a node of `transport`, or nil when it may: its protocol
    /// reads another kind of node, or the node is a keyboard and the rule names only a vendor
    /// (a bridge chip's vendor makes keyboards too).
    private func refusalReason(
        rule: AgentConfiguration.DeviceRule, number: Int, transport: DeviceTransport
    ) -> String? {
        let readable = ReadableNodes.of(rule, catalog: catalog)
        if !readable.reads(transport) {
            return
                "devices rule \(number) reads \(readable.transports!.sorted { $0.rawValue < $1.rawValue }.map(\.nodeKind).joined(separator: " and ")) (\(readable.because)): this \(transport.rawValue) node is never opened"
        }
        if transport == .hidKeyboard, rule.match.productID == nil, rule.match.serial == nil,
            !isScannerVendor(rule.match.vendorID)
        {
            return
                "a keyboard devices rule \(number) names by vendor_id only: never opened — add product_id (or serial) to the rule if this is the scanner"
        }
        return nil
    }

    /// Why a profile claiming the device may not open a node of `transport`. The built-in
    /// scanner-family profiles claim vendors that make only scanners, so their keyboards are
    /// wedge scanners; an operator's profile must name the product (or serial) to open one.
    private func refusalReason(profile: DeviceProfile, transport: DeviceTransport) -> String? {
        let readable = ReadableNodes.of(profile)
        if !readable.reads(transport) {
            return "\(readable.because) reads serial ports: this \(transport.rawValue) node is never opened"
        }
        if transport == .hidKeyboard, profile.match.productID == nil, profile.match.serial == nil,
            !isScannerVendor(profile.match.vendorID)
        {
            return
                "a keyboard profile \(profile.id) claims by vendor_id only: never opened — add product_id (or serial) to its match if this is the scanner"
        }
        return nil
    }

    /// A vendor a built-in scanner-family profile claims: it makes scanners, not keyboards.
    private func isScannerVendor(_ vendorID: String?) -> Bool {
        catalog.profiles.contains {
            $0.source.hasPrefix("built-in:") && $0.match.vendorID != nil && $0.match.vendorID == vendorID
        }
    }

    /// A whole USB device is listed only when a `transport: usb-vendor` rule names it: its
    /// other interfaces show up as their own nodes.
    private func classifyVendorInterface(_ node: UdevDevice) -> DiscoveredDevice? {
        guard let usb = node.usb,
            let index = rules.firstIndex(where: {
                $0.transport == .usbVendor && $0.match.matches(usb, interface: $0.match.interface)
            })
        else { return nil }
        let rule = rules[index]
        var found = DiscoveredDevice(
            node: node, transport: .usbVendor, decision: .open, deviceID: DiscoveredDevice.deviceID(for: node))
        found.node.interfaceNumber = rule.match.interface
        found.deviceID = rule.settings.id ?? DiscoveredDevice.deviceID(for: found.node)
        found.rule = rule
        found.matchedBy = "devices rule \(index + 1)"
        found.profileID =
            rule.settings.profile
            ?? catalog.claiming(
                vendorID: usb.vendorID, productID: usb.productID, serial: usb.serial, firmware: usb.firmware)?.id
            ?? "serial-lines"
        return found
    }
}
