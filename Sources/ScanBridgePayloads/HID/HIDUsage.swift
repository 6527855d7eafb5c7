/// A usage: what a control means, as a 16-bit usage page and a 16-bit usage id.
///
/// HID 1.11 §6.2.2.8 forms the 32-bit value (page in the high half) whenever a main item
/// consumes a usage, so one value is enough to compare usages from any page.
public struct HIDUsage: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The usage page in the high 16 bits, the usage id in the low 16 bits.
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public init(page: UInt16, id: UInt16) {
        rawValue = UInt32(page) << 16 | UInt32(id)
    }

    public var page: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }
    public var id: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static func < (lhs: HIDUsage, rhs: HIDUsage) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// `0x008C:0x00FE`: page and id in hex, the form usage tables print.
    public var description: String {
        "0x\(hidHexDigits(page, width: 4)):0x\(hidHexDigits(id, width: 4))"
    }
}

/// Usages declared by one Usage item, or by a Usage Minimum…Maximum pair.
///
/// A range stays a range: a hostile descriptor can declare 0…0xFFFF on every field, and
/// expanding it would cost 65 536 entries each.
public struct HIDUsageRange: Hashable, Sendable, CustomStringConvertible {
    /// The first usage; same page as `last`, and not after it.
    public let first: HIDUsage
    public let last: HIDUsage

    /// A range of one usage.
    public init(_ usage: HIDUsage) {
        first = usage
        last = usage
    }

    /// `nil` when the bounds are on different pages or out of order.
    public init?(first: HIDUsage, last: HIDUsage) {
        guard first.page == last.page, first.id <= last.id else { return nil }
        self.first = first
        self.last = last
    }

    public var count: Int { Int(last.id) - Int(first.id) + 1 }

    public func contains(_ usage: HIDUsage) -> Bool {
        usage.page == first.page && usage.id >= first.id && usage.id <= last.id
    }

    /// The usage `offset` places after `first`; `offset` must be below `count`.
    public subscript(offset: Int) -> HIDUsage {
        precondition(offset >= 0 && offset < count, "usage offset out of range")
        return HIDUsage(rawValue: first.rawValue + UInt32(offset))
    }

    public var description: String {
        first == last ? first.description : "\(first)…\(last)"
    }
}

/// Upper-case hex, zero-padded to `width` digits.
func hidHexDigits(_ value: some BinaryInteger, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
