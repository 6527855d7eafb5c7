import CUdev

#if canImport(Glibc)
    import Glibc
#endif

/// The libudev library context: enumerates devices and reads their identity.
///
/// Not thread-safe (libudev is not); each thread that needs udev makes its own.
public final class UdevContext {
    let handle: OpaquePointer

    /// The subsystems scanbridge looks at: scanners type on `input`, HID POS scanners report
    /// on `hidraw`, readers and CDC-ACM scanners are `tty`, vendor-class devices only `usb`.
    public static let subsystems = ["input", "hidraw", "tty", "usb"]

    public init() throws(DiscoveryError) {
        guard let handle = udev_new() else {
            throw .unavailable("udev_new failed: \(String(cString: strerror(errno)))")
        }
        self.handle = handle
    }

    deinit {
        udev_unref(handle)
    }

    /// Every device of the given subsystems present now, in syspath order.
    public func enumerate(subsystems: [String] = UdevContext.subsystems) throws(DiscoveryError) -> [UdevDevice] {
        guard let enumerate = udev_enumerate_new(handle) else { throw .unavailable("udev_enumerate_new failed") }
        defer { udev_enumerate_unref(enumerate) }
        for subsystem in subsystems { udev_enumerate_add_match_subsystem(enumerate, subsystem) }
        let status = udev_enumerate_scan_devices(enumerate)
        guard status >= 0 else {
            throw .unavailable("udev_enumerate_scan_devices failed: \(String(cString: strerror(-status)))")
        }
        var devices: [UdevDevice] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let path = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(handle, path)
            {
                devices.append(Self.describe(device))
                udev_device_unref(device)
            }
            entry = udev_list_entry_get_next(current)
        }
        return devices.sorted { $0.syspath < $1.syspath }
    }

    /// Reads what scanbridge needs from a libudev device (which the caller still owns).
    static func describe(_ device: OpaquePointer) -> UdevDevice {
        func text(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
        var properties: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let current = entry {
            if let name = text(udev_list_entry_get_name(current)), Self.keptProperties.contains(name) {
                properties[name] = text(udev_list_entry_get_value(current)) ?? ""
            }
            entry = udev_list_entry_get_next(current)
        }
        var result = UdevDevice(
            syspath: text(udev_device_get_syspath(device)) ?? "",
            sysname: text(udev_device_get_sysname(device)) ?? "",
            subsystem: text(udev_device_get_subsystem(device)) ?? "",
            devtype: text(udev_device_get_devtype(device)),
            devnode: text(udev_device_get_devnode(device)),
            action: text(udev_device_get_action(device)).flatMap(UdevDevice.Action.init(rawValue:)),
            properties: properties)
        if let usbDevice = result.devtype == "usb_device" && result.subsystem == "usb"
            ? device : udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device")
        {
            result.usb = usbIdentity(usbDevice)
        }
        if let interface = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_interface") {
            result.interfaceNumber = attribute(interface, "bInterfaceNumber").flatMap { Int($0, radix: 16) }
            result.interfaceClass = attribute(interface, "bInterfaceClass").flatMap { Int($0, radix: 16) }
        } else if let number = properties["ID_USB_INTERFACE_NUM"] {
            result.interfaceNumber = Int(number, radix: 16)
        }
        if result.subsystem == "hidraw", let hid = udev_device_get_parent_with_subsystem_devtype(device, "hid", nil) {
            result.hidSyspath = udev_device_get_syspath(hid).map { String(cString: $0) }
        }
        var name: String?
        if result.subsystem == "input" {
            // The event node's parent (inputN) carries the name the kernel reports.
            let named = attribute(device, "name") == nil ? udev_device_get_parent(device) : device
            name = named.flatMap { attribute($0, "name") }
        }
        result.name = name ?? result.usb?.product
        return result
    }

    private static func usbIdentity(_ device: OpaquePointer) -> USBIdentity? {
        guard let vendor = attribute(device, "idVendor"), let product = attribute(device, "idProduct") else {
            return nil
        }
        return USBIdentity(
            vendorID: vendor, productID: product, serial: attribute(device, "serial"),
            firmware: attribute(device, "bcdDevice").flatMap(USBIdentity.firmware(fromBCD:)),
            manufacturer: attribute(device, "manufacturer"), product: attribute(device, "product"),
            syspath: udev_device_get_syspath(device).map { String(cString: $0) } ?? "",
            devnode: udev_device_get_devnode(device).map { String(cString: $0) },
            busNumber: attribute(device, "busnum").flatMap { Int($0) },
            deviceAddress: attribute(device, "devnum").flatMap { Int($0) })
    }

    private static func attribute(_ device: OpaquePointer, _ name: String) -> String? {
        guard let value = udev_device_get_sysattr_value(device, name) else { return nil }
        let text = String(cString: value)
        let trimmed = text.drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\n" }.reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    static let keptProperties: Set<String> = [
        "ID_INPUT", "ID_INPUT_KEY", "ID_INPUT_KEYBOARD", "ID_INPUT_MOUSE", "ID_PATH", "ID_SERIAL_SHORT",
        "ID_VENDOR_ID", "ID_MODEL_ID", "ID_USB_INTERFACE_NUM", "ID_USB_DRIVER", "SCANBRIDGE_CLASS",
        "LIBINPUT_IGNORE_DEVICE", "DEVLINKS", "MAJOR", "MINOR",
    ]
}
