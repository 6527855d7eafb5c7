import ScanBridgePayloads

/// A byte stream cut into lines (CR, LF or CRLF), as a vendor-class interface of a scanner in
/// a "USB COM"-like mode sends it; the same rules as serial lines (oversize lines rejected).
struct LineScanDecoder: NodeScanDecoder {
    private var framer: LineFramer

    init(maximumLength: Int) {
        framer = LineFramer(maximumLength: maximumLength)
    }

    mutating func feed(_ bytes: [UInt8], receivedAt: UInt64) -> [NodeScanOutput] {
        framer.feed(bytes).map { frame in
            switch frame {
            case .line(let line): .scan(line)
            case .oversize(let prefix, let total): .rejected(reason: "line of \(total) bytes is too long", raw: prefix)
            }
        }
    }

    var deadline: UInt64? { nil }

    mutating func expire(now: UInt64) -> [NodeScanOutput] { [] }

    mutating func flush(reason: String) -> [NodeScanOutput] {
        framer.takePending().map { [.rejected(reason: reason, raw: $0)] } ?? []
    }
}
