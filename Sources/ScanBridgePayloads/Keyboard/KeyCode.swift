/// Key codes (`KEY_*` in `linux/input-event-codes.h`) the decoder treats specially.
///
/// A key code names a physical key position (the HID usage the scanner sends), not a character;
/// which character it types depends on the `Keymap`.
public enum KeyCode {
    public static let tab: UInt16 = 15
    public static let rightBrace: UInt16 = 27
    public static let enter: UInt16 = 28
    public static let leftCtrl: UInt16 = 29
    public static let leftShift: UInt16 = 42
    public static let rightShift: UInt16 = 54
    public static let leftAlt: UInt16 = 56
    public static let space: UInt16 = 57
    public static let capsLock: UInt16 = 58
    public static let numLock: UInt16 = 69
    public static let scrollLock: UInt16 = 70
    public static let keypadEnter: UInt16 = 96
    public static let rightCtrl: UInt16 = 97
    public static let rightAlt: UInt16 = 100
    public static let leftMeta: UInt16 = 125
    public static let rightMeta: UInt16 = 126

    /// `KEY_KP0`…`KEY_KP9`, indexed by digit (the keypad codes follow the keypad's rows, not the digits).
    public static let keypadDigits: [UInt16] = [82, 79, 80, 81, 75, 76, 77, 71, 72, 73]

    /// The digit a keypad key types, if it is `KEY_KP0`…`KEY_KP9`.
    public static func keypadDigit(_ code: UInt16) -> UInt8? {
        guard let index = keypadDigits.firstIndex(of: code) else { return nil }
        return UInt8(index)
    }

    /// Keypad operator keys, which type the same ASCII in every layout: `KEY_KPASTERISK`, `KEY_KPMINUS`,
    /// `KEY_KPPLUS`, `KEY_KPSLASH`. (`KEY_KPDOT` is left out: it types `.` or `,` depending on the layout.)
    public static func keypadSymbol(_ code: UInt16) -> UInt8? {
        switch code {
        case 55: return UInt8(ascii: "*")
        case 74: return UInt8(ascii: "-")
        case 78: return UInt8(ascii: "+")
        case 98: return UInt8(ascii: "/")
        default: return nil
        }
    }
}
