/// A parsed report descriptor (HID 1.11 §6.2.2): the fields of every report and how long
/// each report is, which is what reading reports from hidraw needs.
public struct HIDReportDescriptor: Hashable, Sendable {
    /// Linux's usbhid refuses longer descriptors (`HID_MAX_DESCRIPTOR_SIZE`), so no real device
    /// has one; the bound also caps the work a hostile descriptor can cause.
    public static let maximumLength = 4096
    /// Bits one report may hold (4 KiB), far above the 64-byte reports of full-speed scanners.
    public static let maximumReportBits = 8 * 4096
    public static let maximumCollectionDepth = 32
    public static let maximumGlobalStackDepth = 16

    /// Every Input, Output and Feature item with at least one bit, in descriptor order.
    public let fields: [HIDReportField]
    /// Data bits of each report, not counting the report id byte.
    public let reportBitLengths: [HIDReportKey: Int]
    /// Whether reports start with a report id byte: all do or none does.
    public let usesReportIDs: Bool

    public init(parsing bytes: some Collection<UInt8>) throws(HIDDescriptorError) {
        let length = bytes.count
        guard length <= Self.maximumLength else { throw .tooLong(length: length, limit: Self.maximumLength) }
        var parser = HIDDescriptorParser()
        try parser.parse(Array(bytes))
        fields = parser.fields
        reportBitLengths = parser.reportBits
        usesReportIDs = parser.usesReportIDs
    }

    /// Reports in a stable order: input, output, feature, then by id.
    public var reports: [HIDReportKey] {
        reportBitLengths.keys.sorted { ($0.kind.order, $0.reportID ?? 0) < ($1.kind.order, $1.reportID ?? 0) }
    }

    /// Data bytes of a report, not counting the report id byte; `nil` if it has no bits.
    public func byteLength(of report: HIDReportKey) -> Int? {
        reportBitLengths[report].map { ($0 + 7) / 8 }
    }

    /// Bytes of the report as a read returns it: the data plus the id byte if there is one.
    public func wireLength(of report: HIDReportKey) -> Int? {
        byteLength(of: report).map { $0 + (report.reportID == nil ? 0 : 1) }
    }

    public func fields(of report: HIDReportKey) -> [HIDReportField] {
        fields.filter { $0.kind == report.kind && $0.reportID == report.reportID }
    }

    /// How input reports follow one another in a byte stream; `nil` without input reports.
    public var inputFraming: HIDReportFraming? {
        let inputs = reportBitLengths.keys.filter { $0.kind == .input }
        guard !inputs.isEmpty else { return nil }
        guard usesReportIDs else { return .unnumbered(length: wireLength(of: inputs[0])!) }
        var lengths: [UInt8: Int] = [:]
        for key in inputs {
            if let id = key.reportID { lengths[id] = wireLength(of: key) }
        }
        return .numbered(lengths: lengths)
    }
}
