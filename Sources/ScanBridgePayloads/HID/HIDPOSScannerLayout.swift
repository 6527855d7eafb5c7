/// Where a value sits in a report's data (after the report id byte).
public struct HIDValueLocation: Hashable, Sendable {
    public var bitOffset: Int
    public var bitSize: Int

    public init(bitOffset: Int, bitSize: Int) {
        self.bitOffset = bitOffset
        self.bitSize = bitSize
    }
}

/// The input report(s) through which a HID POS bar code scanner (usage page 0x8C) sends scans,
/// found from the report descriptor rather than assumed offsets.
///
/// What scanners send, as far as public sources show: Honeywell's HID POS firmware
/// (`usb2hidpos.cpp`, TERMID 131) describes report 2 as Byte Count (Generic Desktop 0x3B),
/// Symbology Identifier 1–3, 56 bytes of Decoded Data, two vendor bytes (its Code ID) and a
/// byte whose first bit is Decode Data Continued. Honeywell's host SDK reads it so
/// (`AndroidHidPos.cpp` in https://github.com/EdgeSolution/Honeywell_N3680_BarCode), reports
/// captured from a Voyager 1602g match it (https://github.com/HenkVanAsselt/python_hon_usbhid),
/// and Access-IS documents the same 64-byte report for its readers (LSR118 manual, appendix B,
/// https://manualshive.com/en/manual/access-is/lsr118/lsr118_product-manual_455317-68.html):
/// the Byte Count counts only this report's data bytes, unused data bytes are 0x00. The Bar Code
/// Scanner page has no usage for this length (its *Length to Decode* usages configure the
/// decoder). So the data length comes from a Byte Count when the report has one; otherwise the
/// zero padding is trimmed, which loses NUL bytes at the end of a scan.
public struct HIDPOSScannerLayout: Hashable, Sendable {
    /// One input report carrying Decoded Data.
    public struct ScannedDataReport: Hashable, Sendable {
        public var reportID: UInt8?
        /// Bytes as read, the report id byte included.
        public var length: Int
        /// The Application collection the data is in: `HIDPOSUsage.barCodeScanner` for the
        /// standard interface, a vendor usage for side channels such as Honeywell's 0xFF8C one.
        public var applicationUsage: HIDUsage?
        /// The Decoded Data bytes: `dataCapacity` values of 8 bits from this offset.
        public var dataBitOffset: Int
        public var dataCapacity: Int
        public var byteCount: HIDValueLocation?
        /// Symbology Identifier 1, 2 and 3, those the report has, in that order.
        public var symbology: [HIDValueLocation]
        public var continued: HIDValueLocation?
    }

    /// Scanned-data input reports, by report id (`nil` when the descriptor uses none).
    public let scannedDataReports: [UInt8?: ScannedDataReport]
    /// How all input reports, scanned-data or not, follow one another in a stream.
    public let framing: HIDReportFraming
    public let usesReportIDs: Bool

    /// `nil` unless an input report holds a Decoded Data field of 8-bit values.
    public init?(descriptor: HIDReportDescriptor) {
        guard let framing = descriptor.inputFraming else { return nil }
        var reports: [UInt8?: ScannedDataReport] = [:]
        for key in descriptor.reports where key.kind == .input {
            let fields = descriptor.fields(of: key)
            guard
                let data = fields.first(where: {
                    $0.bitSize == 8 && !$0.isConstant && $0.contains(HIDPOSUsage.decodedData)
                }),
                let length = descriptor.wireLength(of: key)
            else { continue }
            func locate(_ usage: HIDUsage, maximumBits: Int) -> HIDValueLocation? {
                for field in fields where field.bitSize <= maximumBits && !field.isConstant {
                    if let index = field.firstIndex(of: usage) {
                        return HIDValueLocation(
                            bitOffset: field.bitOffset + index * field.bitSize, bitSize: field.bitSize)
                    }
                }
                return nil
            }
            let identifiers = [
                HIDPOSUsage.symbologyIdentifier1, HIDPOSUsage.symbologyIdentifier2,
                HIDPOSUsage.symbologyIdentifier3,
            ]
            reports[key.reportID] = ScannedDataReport(
                reportID: key.reportID, length: length, applicationUsage: data.applicationUsage,
                dataBitOffset: data.bitOffset, dataCapacity: data.count,
                byteCount: locate(HIDPOSUsage.byteCount, maximumBits: 32),
                symbology: identifiers.compactMap { locate($0, maximumBits: 8) },
                continued: locate(HIDPOSUsage.decodeDataContinued, maximumBits: 32))
        }
        guard !reports.isEmpty else { return nil }
        scannedDataReports = reports
        self.framing = framing
        usesReportIDs = descriptor.usesReportIDs
    }
}
