/// Who made a USB device and which one it is, read from its `usb_device` node in sysfs.
public struct USBIdentity: Sendable, Hashable, Codable {
    /// Four lowercase hex digits, as `idVendor` spells them.
    public var vendorID: String
    public var productID: String
    public var serial: String?
    /// `bcdDevice` as lsusb prints it ("1.00" for 0x0100): the firmware revision a scanner
    /// reports, so a firmware update changes it.
    public var firmware: String?
    public var manufacturer: String?
    public var product: String?
    /// `/sys/devices/...` of the `usb_device`: every node of one physical device shares it.
    public var syspath: String
    /// `/dev/bus/usb/BBB/DDD`, what libusb opens.
    public var devnode: String?
    public var busNumber: Int?
    public var deviceAddress: Int?

    public init(
        vendorID: String, productID: String, serial: String? = nil, firmware: String? = nil,
        manufacturer: String? = nil, product: String? = nil, syspath: String, devnode: String? = nil,
        busNumber: Int? = nil, deviceAddress: Int? = nil
    ) {
        self.vendorID = vendorID.lowercased()
        self.productID = productID.lowercased()
        self.serial = serial
        self.firmware = firmware
        self.manufacturer = manufacturer
        self.product = product
        self.syspath = syspath
        self.devnode = devnode
        self.busNumber = busNumber
        self.deviceAddress = deviceAddress
    }

    /// "0100" → "1.00", "0211" → "2.11": the binary-coded decimal release number.
    public static func firmware(fromBCD text: String) -> String? {
        let digits = text.filter { $0 != " " && $0 != "\n" }
        guard digits.count == 4, digits.allSatisfy(\.isHexDigit) else { return digits.isEmpty ? nil : digits }
        let major = digits.prefix(2).drop { $0 == "0" }
        return (major.isEmpty ? "0" : String(major)) + "." + digits.suffix(2)
    }
}
