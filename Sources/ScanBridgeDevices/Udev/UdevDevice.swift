/// One device node (or USB device) as udev describes it: enough to decide whether scanbridge
/// may open it and how, with no handle kept open.
public struct UdevDevice: Sendable, Hashable {
    public enum Action: String, Sendable {
        case add, remove, change, bind, unbind, move, online, offline
    }

    public var syspath: String
    public var sysname: String
    public var subsystem: String
    public var devtype: String?
    /// `/dev/...`; nil for devices without a node (an `input` parent, a USB interface).
    public var devnode: String?
    /// Set for monitor events; nil for enumerated devices.
    public var action: Action?
    /// The udev properties scanbridge reads (`ID_INPUT_KEYBOARD`, `ID_PATH`, `SCANBRIDGE_CLASS` …).
    public var properties: [String: String]
    /// The `usb_device` this node belongs to, when it is on USB.
    public var usb: USBIdentity?
    /// `bInterfaceNumber` of the USB interface the node belongs to.
    public var interfaceNumber: Int?
    /// `bInterfaceClass` of that interface (3 = HID, 0xff = vendor-specific).
    public var interfaceClass: Int?
    /// A human name: the input device's `name`, else the USB product string.
    public var name: String?
    /// The `hid` device a hidraw node belongs to (what the node's `device` link points at).
    public var hidSyspath: String?

    public init(
        syspath: String, sysname: String, subsystem: String, devtype: String? = nil, devnode: String? = nil,
        action: Action? = nil, properties: [String: String] = [:], usb: USBIdentity? = nil,
        interfaceNumber: Int? = nil, interfaceClass: Int? = nil, name: String? = nil, hidSyspath: String? = nil
    ) {
        self.hidSyspath = hidSyspath
        self.syspath = syspath
        self.sysname = sysname
        self.subsystem = subsystem
        self.devtype = devtype
        self.devnode = devnode
        self.action = action
        self.properties = properties
        self.usb = usb
        self.interfaceNumber = interfaceNumber
        self.interfaceClass = interfaceClass
        self.name = name
    }

    /// An evdev node of something that types (a keyboard, or a scanner in keyboard-wedge mode).
    public var isKeyboardEventNode: Bool {
        subsystem == "input" && sysname.hasPrefix("event") && properties["ID_INPUT_KEYBOARD"] == "1"
    }

    public var isHIDRawNode: Bool { subsystem == "hidraw" && devnode != nil }

    /// A serial port with hardware behind it (not a virtual console).
    public var isSerialPort: Bool { subsystem == "tty" && devnode != nil && usb != nil }

    public var isUSBDevice: Bool { subsystem == "usb" && devtype == "usb_device" }

    /// The HID report descriptor in sysfs (hidraw nodes): read as a file, since the binary
    /// attribute may contain NUL bytes. The parent `hid` device's attribute, which the node's
    /// `device/report_descriptor` link reaches on a real system.
    public var reportDescriptorPath: String? {
        guard isHIDRawNode else { return nil }
        return (hidSyspath ?? syspath + "/device") + "/report_descriptor"
    }

    /// `ID_PATH`: the physical port, stable for a device without a serial number.
    public var portPath: String? { properties["ID_PATH"] }
}
