/// The data bits of an Input, Output or Feature item (HID 1.11 §6.2.2.5).
///
/// Kept as the raw bits: a clear bit means the opposite property (data, array, absolute…).
public struct HIDMainItemFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Constant (padding or fixed values) rather than data.
    public static let constant = HIDMainItemFlags(rawValue: 1 << 0)
    /// One value per usage; clear means an array of usage selectors.
    public static let variable = HIDMainItemFlags(rawValue: 1 << 1)
    /// Changes since the last report rather than absolute values.
    public static let relative = HIDMainItemFlags(rawValue: 1 << 2)
    public static let wrap = HIDMainItemFlags(rawValue: 1 << 3)
    public static let nonLinear = HIDMainItemFlags(rawValue: 1 << 4)
    public static let noPreferredState = HIDMainItemFlags(rawValue: 1 << 5)
    public static let nullState = HIDMainItemFlags(rawValue: 1 << 6)
    /// Output and Feature only: the device may change the value by itself.
    public static let volatile = HIDMainItemFlags(rawValue: 1 << 7)
    /// A byte stream rather than a bit field (HID POS scanners mark Decoded Data so).
    public static let bufferedBytes = HIDMainItemFlags(rawValue: 1 << 8)
}
