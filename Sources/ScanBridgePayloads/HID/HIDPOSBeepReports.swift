/// The output reports that make a HID POS scanner beep, found in its report descriptor.
///
/// Scanners declare Sound Error Beep (0x8C:0x85) and Sound Good Read Beep (0x8C:0x86) as
/// output usages, but where they sit differs by model: Honeywell's firmware puts them in
/// 1-bit variable fields of output report 4 (bits 5 and 6 after the id), others use a
/// selector array. So the bytes are built from the descriptor, never from a fixed layout.
/// Each report is what `write(2)` on the hidraw node takes: the report id first, 0 when the
/// device numbers no reports (Linux `hidraw.rst`).
public struct HIDPOSBeepReports: Hashable, Sendable {
    public let errorBeep: [UInt8]?
    public let goodReadBeep: [UInt8]?

    /// `nil` when the descriptor declares neither beep as an output usage.
    public init?(descriptor: HIDReportDescriptor) {
        errorBeep = Self.report(setting: HIDPOSUsage.soundErrorBeep, in: descriptor)
        goodReadBeep = Self.report(setting: HIDPOSUsage.soundGoodReadBeep, in: descriptor)
        if errorBeep == nil, goodReadBeep == nil { return nil }
    }

    /// The whole output report with `usage` asserted and every other field left at zero.
    static func report(setting usage: HIDUsage, in descriptor: HIDReportDescriptor) -> [UInt8]? {
        for key in descriptor.reports where key.kind == .output {
            guard let length = descriptor.byteLength(of: key) else { continue }
            for field in descriptor.fields(of: key) where !field.isConstant && field.contains(usage) {
                var data = [UInt8](repeating: 0, count: length)
                if field.flags.contains(.variable) {
                    // A variable field has one value per usage; a 1-bit one is on at 1, a wider
                    // one at its logical maximum.
                    guard let index = field.firstIndex(of: usage) else { continue }
                    let value = field.bitSize == 1 ? 1 : UInt64(max(1, field.logicalMaximum))
                    set(value, at: field.bitOffset + index * field.bitSize, bits: field.bitSize, in: &data)
                } else {
                    // An array field carries the selected usage as its index in the usage list,
                    // offset by the logical minimum (HID 1.11 §6.2.2.5).
                    guard let ordinal = ordinal(of: usage, in: field) else { continue }
                    let value = UInt64(max(0, field.logicalMinimum + Int64(ordinal)))
                    set(value, at: field.bitOffset, bits: field.bitSize, in: &data)
                }
                return [key.reportID ?? 0] + data
            }
        }
        return nil
    }

    private static func ordinal(of usage: HIDUsage, in field: HIDReportField) -> Int? {
        var offset = 0
        for range in field.usages {
            if range.contains(usage) { return offset + Int(usage.id) - Int(range.first.id) }
            offset += range.count
        }
        return nil
    }

    /// Little-endian bit order, as HID reports are laid out (HID 1.11 §5.8).
    private static func set(_ value: UInt64, at bitOffset: Int, bits: Int, in data: inout [UInt8]) {
        for bit in 0..<min(bits, 64) where value >> UInt64(bit) & 1 == 1 {
            let position = bitOffset + bit
            guard position / 8 < data.count else { return }
            data[position / 8] |= UInt8(1 << (position % 8))
        }
    }
}
