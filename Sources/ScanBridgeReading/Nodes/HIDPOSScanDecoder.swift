import ScanBridgePayloads

/// hidraw input reports of a HID POS scanner, through its report descriptor.
///
/// The scanner's symbology identifier (an AIM identifier such as `]E0`) is put in front of the
/// data when the data does not already start with one, so a scan read over HID POS is the same
/// text a serial or wedge scanner set to transmit AIM ids would send, and GS1 data is
/// recognised as such.
public struct HIDPOSScanDecoder: NodeScanDecoder {
    private var splitter: HIDReportStreamSplitter
    private var decoder: HIDPOSReportDecoder

    /// Fails with why, for a descriptor that does not parse or has no scanned-data report.
    public init(descriptor bytes: [UInt8], maximumLength: Int = 4096) throws(HIDPOSDescriptorProblem) {
        let layout = try Self.layout(of: bytes)
        splitter = HIDReportStreamSplitter(framing: layout.framing)
        decoder = HIDPOSReportDecoder(layout: layout, maximumLength: maximumLength)
    }

    /// The HID POS layout of a descriptor whose scanned-data report belongs to the Bar Code
    /// Scanner page (0x8C); a vendor-page twin (Honeywell's 0xFF8C management interface) is not one.
    public static func layout(of bytes: [UInt8]) throws(HIDPOSDescriptorProblem) -> HIDPOSScannerLayout {
        let descriptor: HIDReportDescriptor
        do { descriptor = try HIDReportDescriptor(parsing: bytes) } catch { throw .malformed(error) }
        guard let layout = HIDPOSScannerLayout(descriptor: descriptor),
            layout.scannedDataReports.values.contains(where: { $0.applicationUsage?.page == 0x8C })
        else { throw .notAScanner }
        return layout
    }

    public mutating func feed(_ bytes: [UInt8], receivedAt: UInt64) -> [NodeScanOutput] {
        var outputs: [NodeScanOutput] = []
        for chunk in splitter.append(bytes) {
            switch chunk {
            case .report(let report):
                if let output = Self.convert(decoder.decode(report)) { outputs.append(output) }
            case .rejected(let raw):
                outputs.append(.rejected(reason: "bytes that start no input report of this scanner", raw: raw))
            }
        }
        return outputs
    }

    public var deadline: UInt64? { nil }

    public mutating func expire(now: UInt64) -> [NodeScanOutput] { [] }

    public mutating func flush(reason: String) -> [NodeScanOutput] {
        var outputs: [NodeScanOutput] = []
        if let event = decoder.flush(reason: .deviceRemoved), case .rejected(let raw, _) = event {
            outputs.append(.rejected(reason: reason, raw: raw))
        }
        let partial = splitter.takePending()
        if !partial.isEmpty { outputs.append(.rejected(reason: reason + " (a partial report)", raw: partial)) }
        return outputs
    }

    private static func convert(_ event: HIDPOSEvent) -> NodeScanOutput? {
        switch event {
        case .scan(let data, let symbology):
            let isAIM = symbology.count == 3 && symbology[0] == UInt8(ascii: "]")
            let prefixed = isAIM && data.first != UInt8(ascii: "]") ? symbology + data : data
            return .scan(prefixed)
        case .continued, .ignored:
            return nil
        case .rejected(let raw, let reason):
            return .rejected(reason: "HID POS report rejected: \(reason)", raw: raw)
        }
    }
}

/// Why a hidraw node is not read as a HID POS scanner.
public enum HIDPOSDescriptorProblem: Error, CustomStringConvertible {
    case malformed(HIDDescriptorError)
    case notAScanner

    public var description: String {
        switch self {
        case .malformed(let error): "its report descriptor is malformed: \(error)"
        case .notAScanner:
            "HID interface without a bar code scanner (page 0x8C) data report: keys, if any, are read from its input node"
        }
    }
}
