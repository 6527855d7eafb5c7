/// A collection's type (HID 1.11 §6.2.2.6); `0x80…0xFF` are vendor defined.
public struct HIDCollectionType: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let physical = HIDCollectionType(rawValue: 0x00)
    public static let application = HIDCollectionType(rawValue: 0x01)
    public static let logical = HIDCollectionType(rawValue: 0x02)
    public static let report = HIDCollectionType(rawValue: 0x03)
    public static let namedArray = HIDCollectionType(rawValue: 0x04)
    public static let usageSwitch = HIDCollectionType(rawValue: 0x05)
    public static let usageModifier = HIDCollectionType(rawValue: 0x06)

    public var description: String {
        switch rawValue {
        case 0x00: "physical"
        case 0x01: "application"
        case 0x02: "logical"
        case 0x03: "report"
        case 0x04: "named array"
        case 0x05: "usage switch"
        case 0x06: "usage modifier"
        default: "type 0x\(hidHexDigits(rawValue, width: 2))"
        }
    }
}

/// One enclosing collection of a field: its type and the first usage declared before it.
///
/// Linux takes the collection's usage the same way (`open_collection` in hid-core.c).
public struct HIDCollection: Hashable, Sendable {
    public var type: HIDCollectionType
    /// `nil` when no usage preceded the Collection item.
    public var usage: HIDUsage?

    public init(type: HIDCollectionType, usage: HIDUsage?) {
        self.type = type
        self.usage = usage
    }
}
