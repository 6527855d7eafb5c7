/// How a device reaches the agent; the `transport` field of an event's device.
public enum DeviceTransport: String, Sendable, Codable {
    case serial
    case hidKeyboard = "hid-keyboard"
    case hidPOS = "hid-pos"
    case usbVendor = "usb-vendor"
    /// Not a device: events about the agent itself (`agent.key_rotated`) name the agent here.
    case agent
}

/// Who sent a payload: what an event's `device` object says.
///
/// `id` is stable across reconnects (USB serial number where the device has one, else the
/// configured path), so counts and drift tracking follow the device, not the node name.
public struct DeviceIdentity: Hashable, Sendable {
    public var id: String
    public var vendorID: String?
    public var productID: String?
    public var serial: String?
    public var firmware: String?
    public var transport: DeviceTransport
    /// `name@version` of the profile that decodes this device's payloads.
    public var profile: String?

    public init(
        id: String, vendorID: String? = nil, productID: String? = nil, serial: String? = nil,
        firmware: String? = nil, transport: DeviceTransport, profile: String? = nil
    ) {
        self.id = id
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.firmware = firmware
        self.transport = transport
        self.profile = profile
    }

    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", id)
        writer.field("vendor_id", vendorID)
        writer.field("product_id", productID)
        writer.field("serial", serial)
        writer.field("firmware", firmware)
        writer.field("transport", transport.rawValue)
        writer.field("profile", profile)
        writer.endObject()
    }
}
