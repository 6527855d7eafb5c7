import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import Testing

@testable import ScanBridgeTestSupport

/// The allowlist decision alone, on udev descriptions built in the test.
@Suite("Device allowlist", .temporaryDirectory)
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
            AgentConfiguration.DeviceRule(
                match: .init(vendorID: "1a2b", productID: "0001"), keyboard: .init(keymap: "fr")),
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

    static func node(
        subsystem: String, sysname: String, vendor: String = "1a86", product: String = "7523", serial: String? = nil
    ) -> UdevDevice {
        UdevDevice(
            syspath: "/sys/devices/usb1/1-3/1-3:1.0/\(sysname)", sysname: sysname, subsystem: subsystem,
            devnode: (subsystem == "input" ? "/dev/input/" : "/dev/") + sysname,
            properties: subsystem == "input"
                ? ["ID_INPUT_KEYBOARD": "1", "ID_PATH": "pci-0:3:1.0"] : ["ID_PATH": "pci-0:3:1.0"],
            usb: USBIdentity(
                vendorID: vendor, productID: product, serial: serial, firmware: "2.64", syspath: "/sys/devices/usb1/1-3"
            ),
            interfaceNumber: 0)
    }

    static func rule(
        vendor: String = "1a86", product: String? = nil, serial: String? = nil,
        framing: AgentConfiguration.Framing? = nil,
        keymap: String? = nil, profile: String? = nil
    ) -> AgentConfiguration.DeviceRule {
        var settings = AgentConfiguration.SerialDevice(path: "", framing: framing)
        settings.profile = profile
        return AgentConfiguration.DeviceRule(
            match: .init(vendorID: vendor, productID: product, serial: serial), keyboard: .init(keymap: keymap),
            settings: settings)
    }

    static func reason(_ found: DiscoveredDevice?) -> String? {
        if case .ignored(let why)? = found?.decision { return why }
        return nil
    }

    /// Honeywell's HID POS report descriptor (a bar code scanner's).
    static let scannerDescriptor: [UInt8] = TestSupport.reportDescriptor(ofUmockdev: "honeywell-hidpos") ?? []

    /// The CH340 (1a86) of the issue: a reader's rule, and a keyboard built on the same chip.
    static let ch340Keyboard = node(subsystem: "input", sysname: "event4")
    static let ch340Port = node(subsystem: "tty", sysname: "ttyUSB0")
    static let ch340HIDRaw = node(subsystem: "hidraw", sysname: "hidraw2")

    @Test("A vendor-only rule with a serial framing opens the vendor's serial port, never its keyboard or hidraw node")
    func serialFramingReadsSerialPortsOnly() throws {
        let matcher = DeviceMatcher(rules: [Self.rule(framing: .mercury)], catalog: Self.catalog) {
            _ throws(DeviceError) in
            Self.scannerDescriptor
        }
        let port = try #require(matcher.classify(Self.ch340Port))
        #expect(port.isOpened)
        #expect(port.profileID == "thingmagic-mercury")
        let keyboard = try #require(matcher.classify(Self.ch340Keyboard))
        #expect(!keyboard.isOpened)
        #expect(Self.reason(keyboard)?.contains("devices rule 1 reads serial ports (framing mercury)") == true)
        #expect(Self.reason(keyboard)?.contains("never opened") == true)
        let hidraw = try #require(matcher.classify(Self.ch340HIDRaw))
        #expect(!hidraw.isOpened)
        #expect(Self.reason(hidraw)?.contains("reads serial ports") == true)
    }

    @Test("A rule naming no protocol opens a keyboard only when it names the product or the serial")
    func keyboardNeedsProductOrSerial() throws {
        let vendorOnly = DeviceMatcher(rules: [Self.rule()], catalog: Self.catalog)
        let keyboard = try #require(vendorOnly.classify(Self.ch340Keyboard))
        #expect(!keyboard.isOpened)
        #expect(Self.reason(keyboard)?.contains("vendor_id only") == true)
        #expect(vendorOnly.classify(Self.ch340Port)?.isOpened == true, "its serial port is still read")
        let byProduct = DeviceMatcher(rules: [Self.rule(product: "7523")], catalog: Self.catalog)
        #expect(byProduct.classify(Self.ch340Keyboard)?.isOpened == true)
        let bySerial = DeviceMatcher(rules: [Self.rule(serial: "K1")], catalog: Self.catalog)
        #expect(bySerial.classify(Self.node(subsystem: "input", sysname: "event4", serial: "K1"))?.isOpened == true)
        // A later rule that may open it is used when the first may not.
        let two = DeviceMatcher(
            rules: [Self.rule(framing: .mercury), Self.rule(product: "7523", keymap: "de")], catalog: Self.catalog)
        let second = try #require(two.classify(Self.ch340Keyboard))
        #expect(second.isOpened)
        #expect(second.matchedBy == "devices rule 2")
    }

    @Test("Keyboard settings read keyboards only; a hidraw node is read only with a scanner descriptor")
    func keyboardSettingsAndHIDRaw() throws {
        let matcher = DeviceMatcher(rules: [Self.rule(product: "7523", keymap: "fr")], catalog: Self.catalog) {
            _ throws(DeviceError) in Self.scannerDescriptor
        }
        #expect(matcher.classify(Self.ch340Keyboard)?.isOpened == true)
        let port = try #require(matcher.classify(Self.ch340Port))
        #expect(!port.isOpened)
        #expect(Self.reason(port)?.contains("reads keyboard (evdev) nodes") == true)
        let hidraw = try #require(matcher.classify(Self.ch340HIDRaw))
        #expect(!hidraw.isOpened)
        // A rule naming no protocol reads a hidraw node whose descriptor is a bar code scanner's.
        let plain = DeviceMatcher(rules: [Self.rule(product: "7523")], catalog: Self.catalog) {
            _ throws(DeviceError) in Self.scannerDescriptor
        }
        let scanner = try #require(plain.classify(Self.ch340HIDRaw))
        #expect(scanner.isOpened)
        #expect(scanner.transport == .hidPOS)
    }

    @Test("A usb-vendor rule reads its USB interface only, never the device's keyboard or serial nodes")
    func usbVendorReadsTheInterfaceOnly() throws {
        var rule = Self.rule(product: "7523")
        rule.match.interface = 0
        rule.transport = .usbVendor
        let matcher = DeviceMatcher(rules: [rule], catalog: Self.catalog)
        let keyboard = try #require(matcher.classify(Self.ch340Keyboard))
        #expect(Self.reason(keyboard)?.contains("reads vendor-class USB interfaces (transport usb-vendor)") == true)
        #expect(matcher.classify(Self.ch340Port)?.isOpened == false)
        var device = Self.node(subsystem: "usb", sysname: "1-3")
        device.devtype = "usb_device"
        #expect(matcher.classify(device)?.transport == .usbVendor)
        #expect(matcher.classify(device)?.isOpened == true)
    }

    @Test(
        "An operator profile opens a keyboard only when its match names the product; an RFID profile reads serial ports"
    )
    func profilesToo() throws {
        var catalog = Self.catalog
        catalog.add(
            try ProfileParser.parse(
                Array(#"{"id": "acme-any", "version": 1, "match": {"vendor_id": "1a86"}, "decoder": "text"}"#.utf8),
                source: "test"))
        let vendorWide = DeviceMatcher(rules: [], catalog: catalog)
        #expect(Self.reason(vendorWide.classify(Self.ch340Keyboard))?.contains("profile acme-any") == true)
        #expect(vendorWide.classify(Self.ch340Port)?.isOpened == true)
        catalog.add(
            try ProfileParser.parse(
                Array(
                    #"{"id": "acme-wedge", "version": 1, "match": {"vendor_id": "1a86", "product_id": "7523"}}"#.utf8),
                source: "test"))
        #expect(
            DeviceMatcher(rules: [], catalog: catalog).classify(Self.ch340Keyboard)?.matchedBy == "profile acme-wedge")
        // A rule whose profile reads RFID tags reads serial ports only.
        let reader = DeviceMatcher(rules: [Self.rule(product: "7523", profile: "rfid-lines")], catalog: Self.catalog)
        #expect(reader.classify(Self.ch340Port)?.isOpened == true)
        #expect(Self.reason(reader.classify(Self.ch340Keyboard))?.contains("profile rfid-lines") == true)
        // A built-in scanner family's vendor makes scanners: its vendor-only keymap rule still applies.
        let honeywell = DeviceMatcher(rules: [Self.rule(vendor: "0c2e", keymap: "fr")], catalog: Self.catalog)
        let wedge = try #require(honeywell.classify(Self.keyboardNode(vendor: "0c2e", product: "0b61")))
        #expect(wedge.matchedBy == "devices rule 1")
        #expect(wedge.rule?.keyboard.keymap == "fr")
    }
}
