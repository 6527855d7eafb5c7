import CLibUSB

/// A USB device's descriptors as libusb reads them (from sysfs where it can, so no device is
/// opened): what `scanbridge devices --usb` prints for a vendor-class scanner's endpoints.
public struct USBDeviceDescriptors: Sendable, Equatable {
    public struct Endpoint: Sendable, Equatable {
        public var address: UInt8
        /// 0 control, 1 isochronous, 2 bulk, 3 interrupt.
        public var transferType: UInt8
        public var maxPacketSize: Int
        public var interval: Int
        public var isInput: Bool { address & 0x80 != 0 }
    }

    public struct Interface: Sendable, Equatable {
        public var number: Int
        public var alternate: Int
        public var interfaceClass: Int
        public var subclass: Int
        public var interfaceProtocol: Int
        public var endpoints: [Endpoint]
    }

    public struct Configuration: Sendable, Equatable {
        public var value: Int
        public var attributes: UInt8
        public var maxPowerMilliamps: Int
        public var interfaces: [Interface]
    }

    public var busNumber: Int
    public var address: Int
    public var vendorID: String
    public var productID: String
    public var usbVersion: String
    public var firmware: String
    public var deviceClass: Int
    public var maxPacketSize0: Int
    public var configurations: [Configuration]

    /// Every USB device libusb sees.
    public static func all() throws(DiscoveryError) -> [USBDeviceDescriptors] {
        var context: OpaquePointer?
        let status = libusb_init(&context)
        guard status == 0, let context else {
            throw .unavailable("libusb_init failed: \(String(cString: libusb_error_name(status)))")
        }
        defer { libusb_exit(context) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else {
            throw .unavailable("libusb_get_device_list failed: \(String(cString: libusb_error_name(Int32(count))))")
        }
        defer { libusb_free_device_list(list, 1) }
        var result: [USBDeviceDescriptors] = []
        for index in 0..<count {
            guard let device = list[index] else { continue }
            if let descriptors = read(device) { result.append(descriptors) }
        }
        return result.sorted { ($0.busNumber, $0.address) < ($1.busNumber, $1.address) }
    }

    private static func read(_ device: OpaquePointer) -> USBDeviceDescriptors? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return nil }
        var configurations: [Configuration] = []
        for index in 0..<descriptor.bNumConfigurations {
            var config: UnsafeMutablePointer<libusb_config_descriptor>?
            guard libusb_get_config_descriptor(device, index, &config) == 0, let config else { continue }
            defer { libusb_free_config_descriptor(config) }
            var interfaces: [Interface] = []
            for interfaceIndex in 0..<Int(config.pointee.bNumInterfaces) {
                let interface = config.pointee.interface[interfaceIndex]
                for alternateIndex in 0..<Int(interface.num_altsetting) {
                    let setting = interface.altsetting[alternateIndex]
                    var endpoints: [Endpoint] = []
                    for endpointIndex in 0..<Int(setting.bNumEndpoints) {
                        let endpoint = setting.endpoint[endpointIndex]
                        endpoints.append(
                            Endpoint(
                                address: endpoint.bEndpointAddress, transferType: endpoint.bmAttributes & 0x03,
                                maxPacketSize: Int(endpoint.wMaxPacketSize), interval: Int(endpoint.bInterval)))
                    }
                    interfaces.append(
                        Interface(
                            number: Int(setting.bInterfaceNumber), alternate: Int(setting.bAlternateSetting),
                            interfaceClass: Int(setting.bInterfaceClass), subclass: Int(setting.bInterfaceSubClass),
                            interfaceProtocol: Int(setting.bInterfaceProtocol), endpoints: endpoints))
                }
            }
            configurations.append(
                Configuration(
                    value: Int(config.pointee.bConfigurationValue), attributes: config.pointee.bmAttributes,
                    maxPowerMilliamps: Int(config.pointee.MaxPower) * 2, interfaces: interfaces))
        }
        func bcd(_ value: UInt16) -> String {
            USBIdentity.firmware(fromBCD: hex4(value)) ?? hex4(value)
        }
        return USBDeviceDescriptors(
            busNumber: Int(libusb_get_bus_number(device)), address: Int(libusb_get_device_address(device)),
            vendorID: hex4(descriptor.idVendor), productID: hex4(descriptor.idProduct),
            usbVersion: bcd(descriptor.bcdUSB), firmware: bcd(descriptor.bcdDevice),
            deviceClass: Int(descriptor.bDeviceClass), maxPacketSize0: Int(descriptor.bMaxPacketSize0),
            configurations: configurations)
    }

    private static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// lsusb-like lines.
    public var lines: [String] {
        let busAddress = "Bus \(pad3(busNumber)) Device \(pad3(address))"
        var lines = [
            "\(busAddress): ID \(vendorID):\(productID)  USB \(usbVersion)  bcdDevice \(firmware)  class \(deviceClass)  ep0 \(maxPacketSize0) bytes"
        ]
        for configuration in configurations {
            lines.append("  configuration \(configuration.value)  \(configuration.maxPowerMilliamps) mA")
            for interface in configuration.interfaces {
                lines.append(
                    "    interface \(interface.number) alt \(interface.alternate)  class \(Self.className(interface.interfaceClass)) subclass \(interface.subclass) protocol \(interface.interfaceProtocol)"
                )
                for endpoint in interface.endpoints {
                    let type = ["control", "isochronous", "bulk", "interrupt"][Int(endpoint.transferType)]
                    lines.append(
                        "      endpoint 0x\(String(endpoint.address, radix: 16)) \(endpoint.isInput ? "IN" : "OUT") \(type)  \(endpoint.maxPacketSize) bytes  interval \(endpoint.interval)"
                    )
                }
            }
        }
        return lines
    }

    private func pad3(_ number: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, 3 - text.count)) + text
    }

    static func className(_ code: Int) -> String {
        switch code {
        case 0x02: "cdc-control"
        case 0x03: "hid"
        case 0x0A: "cdc-data"
        case 0xFF: "vendor-specific"
        default: String(code)
        }
    }
}
