/// Which USB device a serial port node belongs to now, as udev says.
///
/// A discovered port that goes away is reopened only when udev shows the same device (vendor,
/// product, serial and USB port) at its node again: `ttyUSB0` is whichever bridge the kernel
/// numbered first, and reading another device there would file its bytes under the wrong one.
public enum SerialPortOwner {
    /// nil when `nodes` (udev's `tty` devices) show `expected` at `devnode`; else why not.
    public static func check(devnode: String, expected: USBIdentity, nodes: [UdevDevice]) -> DeviceError? {
        let found = nodes.first { $0.devnode == devnode }?.usb
        guard let found, isSameDevice(found, expected) else {
            return .otherDevice(
                path: devnode, expected: describe(expected), found: found.map(describe) ?? "no USB device udev knows")
        }
        return nil
    }

    /// Asks udev now (a context of its own: this runs on the reader's thread).
    public static func check(devnode: String, expected: USBIdentity) -> DeviceError? {
        let nodes: [UdevDevice]
        do { nodes = try UdevContext().enumerate(subsystems: ["tty"]) } catch {
            return .otherDevice(path: devnode, expected: describe(expected), found: "unknown (\(error))")
        }
        return check(devnode: devnode, expected: expected, nodes: nodes)
    }

    static func isSameDevice(_ found: USBIdentity, _ expected: USBIdentity) -> Bool {
        found.vendorID == expected.vendorID && found.productID == expected.productID && found.serial == expected.serial
            && found.syspath == expected.syspath
    }

    static func describe(_ usb: USBIdentity) -> String {
        "usb \(usb.vendorID):\(usb.productID) serial \(usb.serial ?? "(none)") at \(usb.syspath)"
    }
}
