/// Usages a HID POS bar code scanner reports with.
///
/// Values of the Bar Code Scanner page (0x8C) from the USB-IF *HID Point of Sale Usage
/// Tables* 1.02 §3 (https://www.usb.org/sites/default/files/pos1_02.pdf), as Wireshark's usage
/// table transcribes them (`epan/dissectors/packet-usb-hid.c`, https://github.com/wireshark/wireshark).
/// Byte Count is Generic Desktop 0x3B (HID Usage Tables §4), which Honeywell's firmware puts in
/// front of the data.
public enum HIDPOSUsage {
    /// Application collection of a scanner.
    public static let barCodeScanner = HIDUsage(page: 0x8C, id: 0x02)
    /// Logical collection around the input report that carries a scan.
    public static let scannedDataReport = HIDUsage(page: 0x8C, id: 0x12)
    public static let rawScannedDataReport = HIDUsage(page: 0x8C, id: 0x13)
    public static let triggerReport = HIDUsage(page: 0x8C, id: 0x14)
    public static let statusReport = HIDUsage(page: 0x8C, id: 0x15)
    /// The three symbology identifier bytes; scanners send an AIM identifier here (`]E0`).
    public static let symbologyIdentifier1 = HIDUsage(page: 0x8C, id: 0xFB)
    public static let symbologyIdentifier2 = HIDUsage(page: 0x8C, id: 0xFC)
    public static let symbologyIdentifier3 = HIDUsage(page: 0x8C, id: 0xFD)
    /// The decoded bar code bytes.
    public static let decodedData = HIDUsage(page: 0x8C, id: 0xFE)
    /// Set while more reports of the same scan follow.
    public static let decodeDataContinued = HIDUsage(page: 0x8C, id: 0xFF)
    /// Output usages that make the scanner beep (Usage Tables §3: "Sound Error Beep", "Sound
    /// Good Read Beep"): how the agent tells the operator a scan was held.
    public static let soundErrorBeep = HIDUsage(page: 0x8C, id: 0x85)
    public static let soundGoodReadBeep = HIDUsage(page: 0x8C, id: 0x86)
    /// Generic Desktop Byte Count: how many Decoded Data bytes of this report are valid.
    public static let byteCount = HIDUsage(page: 0x01, id: 0x3B)
}
