// libFuzzer entry point: build with
//   swift build -j 1 --sanitize=fuzzer -Xswiftc -parse-as-library --product FuzzHIDReports --scratch-path .build-fuzz
// and run with SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FuzzHIDReports -max_total_time=30
import ScanBridgeCore
import ScanBridgePayloads

/// Input: bytes 0–1 give the descriptor length L (little endian, clamped to what follows), the
/// next L bytes are a report descriptor and the rest is a report stream, fed to the splitter in
/// chunks whose sizes derive from the input.
/// Invariants: parsing never crashes and a parsed descriptor is self-consistent (every field
/// inside its report, reports within the bit limit). With input reports: every byte fed is in a
/// report, a rejected run or pending, at every step; pending stays below one report; the
/// chunking does not change what comes out. With a HID POS layout besides: the decoder never
/// rejects a report the splitter cut for its length or id; scans are non-empty and at most
/// `maximumLength` bytes; rejections hold at most what the decoder may buffer; flushing leaves
/// nothing pending.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard input.count >= 2 else { return 0 }
    let length = min(Int(input[0]) | Int(input[1]) << 8, input.count - 2)
    let descriptorBytes = Array(input[2..<2 + length])
    let stream = Array(input[(2 + length)...])
    let descriptor: HIDReportDescriptor
    do {
        descriptor = try HIDReportDescriptor(parsing: descriptorBytes)
    } catch {
        precondition(!error.description.isEmpty, "an error without a description")
        return 0
    }
    check(descriptor)
    guard let framing = descriptor.inputFraming else { return 0 }
    // Descriptors of other devices still exercise the splitter; scanners the decoder too.
    let layout = HIDPOSScannerLayout(descriptor: descriptor)
    precondition(layout == nil || layout!.framing == framing, "the layout frames reports differently")
    let seed = input.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    check(stream, framing: framing, layout: layout, seed: seed)
    return 0
}

private func check(_ descriptor: HIDReportDescriptor) {
    for (report, bits) in descriptor.reportBitLengths {
        precondition(bits > 0 && bits <= HIDReportDescriptor.maximumReportBits, "report bits out of range")
        precondition(descriptor.usesReportIDs == (report.reportID != nil), "mixed report ids")
    }
    for field in descriptor.fields {
        let report = HIDReportKey(kind: field.kind, reportID: field.reportID)
        guard let bits = descriptor.reportBitLengths[report] else { preconditionFailure("field outside any report") }
        precondition(field.bitLength > 0 && field.bitOffset >= 0, "empty field")
        precondition(field.bitOffset + field.bitLength <= bits, "field past its report's end")
        precondition(field.bitSize >= 1 && field.bitSize <= 256, "report size out of range")
        precondition(field.collectionPath.count <= HIDReportDescriptor.maximumCollectionDepth, "collections too deep")
        precondition(field.usages.allSatisfy { $0.first.page == $0.last.page && $0.first <= $0.last }, "bad range")
        if let index = field.firstIndex(of: field.usages.first?.first ?? HIDUsage(rawValue: 0)) {
            precondition(index < field.count, "usage index past the field")
        }
    }
}

/// Chunk sizes from a seeded generator.
private struct Chunker {
    var generator: SplitMix64

    init(state: UInt64) { generator = SplitMix64(seed: state) }

    mutating func next(below bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
}

/// Reports and rejected runs in order, adjacent runs merged: what a stream came out as.
private func normalized(_ chunks: [HIDStreamChunk]) -> [HIDStreamChunk] {
    var result: [HIDStreamChunk] = []
    for chunk in chunks {
        if case .rejected(let bytes) = chunk, case .rejected(let previous)? = result.last {
            result[result.count - 1] = .rejected(previous + bytes)
        } else {
            result.append(chunk)
        }
    }
    return result.filter { $0 != .rejected([]) }
}

private func check(_ stream: [UInt8], framing: HIDReportFraming, layout: HIDPOSScannerLayout?, seed: UInt64) {
    let maximumLength = 512
    let longest = framing.maximumLength
    var chunker = Chunker(state: seed)
    var splitter = HIDReportStreamSplitter(framing: framing)
    var decoder = layout.map { HIDPOSReportDecoder(layout: $0, maximumLength: maximumLength) }
    var chunks: [HIDStreamChunk] = []
    var position = 0
    while position < stream.count {
        let end = min(stream.count, position + 1 + chunker.next(below: 2 * longest + 2))
        let out = splitter.append(stream[position..<end])
        position = end
        precondition(
            splitter.acceptedByteCount + splitter.rejectedByteCount + splitter.pendingByteCount
                == splitter.fedByteCount && splitter.fedByteCount == position, "bytes lost or invented")
        precondition(splitter.pendingByteCount < longest, "pending holds a whole report")
        for chunk in out {
            switch chunk {
            case .rejected(let bytes):
                precondition(!bytes.isEmpty, "empty rejected run")
            case .report(let report):
                precondition(report.count == framing.length(startingWith: report[0]), "report of a wrong length")
                if let event = decoder?.decode(report) {
                    check(event, maximumLength: maximumLength, longest: longest)
                }
            }
        }
        chunks += out
    }
    let fed = chunks.reduce(0) {
        switch $1 {
        case .report(let bytes), .rejected(let bytes): $0 + bytes.count
        }
    }
    precondition(fed + splitter.pendingByteCount == stream.count, "chunks do not add up to the stream")

    var whole = HIDReportStreamSplitter(framing: framing)
    precondition(normalized(whole.append(stream)) == normalized(chunks), "chunking changed the output")
    precondition(whole.takePending() == splitter.takePending(), "chunking changed what is pending")
    precondition(
        splitter.acceptedByteCount + splitter.rejectedByteCount == stream.count, "bytes lost after takePending")

    guard var decoder else { return }
    if let event = decoder.flush(reason: .deviceRemoved) {
        guard case .rejected(let bytes, .deviceRemoved) = event, !bytes.isEmpty else {
            preconditionFailure("flush returned \(event)")
        }
    }
    precondition(!decoder.hasPendingScan && decoder.flush() == nil, "flush left a scan pending")
    // The whole stream as one report: any length is handled.
    _ = decoder.decode(stream)
}

private func check(_ event: HIDPOSEvent, maximumLength: Int, longest: Int) {
    switch event {
    case .scan(let data, let symbology):
        precondition(!data.isEmpty && data.count <= maximumLength, "scan length out of bounds")
        precondition(symbology.count <= 3 && !symbology.contains(0), "bad symbology")
    case .rejected(let bytes, let reason):
        switch reason {
        case .scanTooLong, .byteCountExceedsCapacity:
            precondition(bytes.count <= 4 * maximumLength + 2 * longest, "rejection larger than the buffer bound")
        default:
            preconditionFailure("a framed report rejected for \(reason)")
        }
    case .continued, .ignored:
        break
    }
}
