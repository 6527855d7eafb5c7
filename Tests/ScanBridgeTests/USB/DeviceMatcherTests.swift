import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeDevices
import Testing

/// The allowlist decision alone, on udev descriptions built in the test.
@Suite("Device allowlist")
struct DeviceMatcherTests {
    static func keyboardNode(vendor: String, product: String, serial: String? = nil, interface: Int = 0) -> UdevDevice {
        UdevDevice(
            syspath: "/sys/devices/usb1/1-1/1-1:1.\(interface)/input/input3/event3", sysname: "event3",
            subsystem: "input", devnode: "/dev/input/event3",
            properties: ["ID_INPUT_KEYBOARD": "1", "ID_PATH": "pci-0:1"],
            usb: USBIdentity(
                vendorID: vendor, productID: product, serial: serial, firmware: "1.00", syspath: "/sys/devices/usb1/1-1"
            ),
            interfaceNumber: interface)
    }

    static let catalog = try! ProfileCatalog.load(directories: [])

    @Test("A keyboard no profile or rule allows is ignored, and says it is never opened")
    func keyboardIgnored() throws {
        let matcher = DeviceMatcher(rules: [], catalog: Self.catalog)
        let found = try #require(matcher.classify(Self.keyboardNode(vendor: "046d", product: "c31c")))
        #expect(found.transport == .hidKeyboard)
        guard case .ignored(let reason) = found.decision else {
            Issue.record("a plain keyboard was allowed")
            return
        }
        #expect(reason.contains("never opened"))
    }

    @Test("Each scanner family's vendor id is claimed by its built-in profile")
    func builtInFamilies() throws {
        let matcher = DeviceMatcher(rules: [], catalog: Self.catalog)
        for (vendor, profile) in [
            ("05e0", "zebra-usb"), ("0c2e", "honeywell-usb"), ("05f9", "datalogic-usb"), ("1eab", "newland-usb"),
        ] {
            let found = try #require(matcher.classify(Self.keyboardNode(vendor: vendor, product: "1234", serial: "S1")))
            #expect(found.isOpened)
            #expect(found.profileID == profile)
            #expect(found.deviceID == "usb:\(vendor):1234:S1")
        }
    }

    @Test("A rule matches on vendor, product, serial and interface; the first match wins")
    func rules() throws {
        let rules = [
            AgentConfiguration.DeviceRule(
                match: .init(vendorID: "1a2b", productID: "0001", serial: "A", interface: 1),
                keyboard: .init(keymap: "de")),
            AgentConfiguration.DeviceRule(match: .init(vendorID: "1a2b"), keyboard: .init(keymap: "fr")),
        ]
        let matcher = DeviceMatcher(rules: rules, catalog: Self.catalog)
        let exact = try #require(
            matcher.classify(Self.keyboardNode(vendor: "1a2b", product: "0001", serial: "A", interface: 1)))
        #expect(exact.rule?.keyboard.keymap == "de")
        #expect(exact.deviceID == "usb:1a2b:0001:A/if1")
        let other = try #require(
            matcher.classify(Self.keyboardNode(vendor: "1a2b", product: "0001", serial: "B", interface: 0)))
        #expect(other.rule?.keyboard.keymap == "fr")
        #expect(other.matchedBy == "devices rule 2")
        #expect(other.profileID == "serial-lines")
        let stranger = try #require(matcher.classify(Self.keyboardNode(vendor: "1a2c", product: "0001")))
        #expect(!stranger.isOpened)
    }

    @Test("A device without a serial is known by its USB port")
    func portIdentity() throws {
        let matcher = DeviceMatcher(rules: [], catalog: Self.catalog)
        var node = Self.keyboardNode(vendor: "0c2e", product: "0b61")
        node.properties["ID_PATH"] = "pci-0000:00:14.0-usb-0:2:1.0"
        let found = try #require(matcher.classify(node))
        #expect(found.deviceID == "usb:0c2e:0b61@pci-0000:00:14.0-usb-0:2")
    }

    @Test("A hidraw node is read only when its descriptor has a bar code scanner data report")
    func hidraw() throws {
        let keyboardDescriptor: [UInt8] = [
            0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01,
            0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
            0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
        ]
        let node = UdevDevice(
            syspath: "/sys/devices/usb1/1-1/1-1:1.0/0003:0C2E:0B61.0003/hidraw/hidraw0", sysname: "hidraw0",
            subsystem: "hidraw", devnode: "/dev/hidraw0",
            usb: USBIdentity(vendorID: "0c2e", productID: "0b61", syspath: "/sys/devices/usb1/1-1"), interfaceNumber: 0)
        let matcher = DeviceMatcher(rules: [], catalog: Self.catalog) { _ throws(DeviceError) in keyboardDescriptor }
        let found = try #require(matcher.classify(node))
        #expect(found.transport == .hidPOS)
        guard case .ignored(let reason) = found.decision else {
            Issue.record("a keyboard's hidraw node was opened")
            return
        }
        #expect(reason.contains("0x8C"))
    }
}
