/// Turns the input reports of a HID POS scanner into scans, joining the reports of a scan
/// that Decode Data Continued spreads over several.
public struct HIDPOSReportDecoder: Sendable {
    public let layout: HIDPOSScannerLayout
    /// Longest scan delivered; longer ones are rejected so a stuck Continued flag cannot grow
    /// memory without bound.
    public let maximumLength: Int

    private var pendingData: [UInt8] = []
    private var pendingReports: [UInt8] = []
    private var pendingSymbology: [UInt8] = []

    /// - Parameter maximumLength: at least 1; 8192 holds the largest 2D codes (a QR code
    ///   carries at most 7089 digits or 2953 bytes).
    public init(layout: HIDPOSScannerLayout, maximumLength: Int = 8192) {
        precondition(maximumLength > 0, "maximumLength must be positive")
        self.layout = layout
        self.maximumLength = maximumLength
    }

    /// Whether reports of an unfinished scan are held.
    public var hasPendingScan: Bool { !pendingReports.isEmpty }

    /// Decodes one report as read from hidraw: report id byte first when the layout uses ids.
    public mutating func decode(_ report: [UInt8]) -> HIDPOSEvent {
        guard let first = report.first else { return reject(report, .emptyReport) }
        let reportID: UInt8? = layout.usesReportIDs ? first : nil
        guard let expected = layout.framing.length(startingWith: first) else {
            return reject(report, .unknownReportID(first))
        }
        guard report.count == expected else {
            return reject(report, .wrongLength(expected: expected, actual: report.count))
        }
        guard let scanned = layout.scannedDataReports[reportID] else { return .ignored }
        let start = reportID == nil ? 0 : 1
        func read(_ location: HIDValueLocation) -> UInt64 {
            HIDBitReader.value(
                in: report, from: start, bitOffset: location.bitOffset, bitCount: min(location.bitSize, 64)) ?? 0
        }

        var data: [UInt8] = []
        data.reserveCapacity(scanned.dataCapacity)
        for index in 0..<scanned.dataCapacity {
            let value = HIDBitReader.value(
                in: report, from: start, bitOffset: scanned.dataBitOffset + index * 8, bitCount: 8)
            data.append(UInt8(truncatingIfNeeded: value ?? 0))
        }
        if let location = scanned.byteCount {
            let count = read(location)
            guard count <= UInt64(scanned.dataCapacity) else {
                return reject(
                    report,
                    .byteCountExceedsCapacity(
                        count: Int(clamping: count), capacity: scanned.dataCapacity))
            }
            data.removeLast(scanned.dataCapacity - Int(count))
        } else {
            while data.last == 0 { data.removeLast() }
        }
        if pendingReports.isEmpty {
            pendingSymbology = scanned.symbology.map { UInt8(truncatingIfNeeded: read($0)) }.filter { $0 != 0 }
        }
        pendingData += data
        pendingReports += report
        // Reports whose data is mostly padding could pile up without the data limit tripping.
        guard pendingData.count <= maximumLength, pendingReports.count <= 4 * maximumLength + expected else {
            return reject([], .scanTooLong(limit: maximumLength))
        }
        if let location = scanned.continued, read(location) != 0 { return .continued }
        defer { clearPending() }
        guard !pendingData.isEmpty else { return .ignored }
        return .scan(data: pendingData, symbology: pendingSymbology)
    }

    /// Gives up an unfinished scan, returning its reports as rejected; `nil` if none is held.
    /// Call it when the device goes away or the stream breaks.
    public mutating func flush(reason: HIDPOSRejectionReason = .unfinishedScan) -> HIDPOSEvent? {
        guard hasPendingScan else { return nil }
        return reject([], reason)
    }

    /// Rejects `report` together with any held reports: a scan with a bad report in it is lost.
    private mutating func reject(_ report: [UInt8], _ reason: HIDPOSRejectionReason) -> HIDPOSEvent {
        let bytes = pendingReports + report
        clearPending()
        return .rejected(bytes, reason)
    }

    private mutating func clearPending() {
        pendingData = []
        pendingReports = []
        pendingSymbology = []
    }
}
