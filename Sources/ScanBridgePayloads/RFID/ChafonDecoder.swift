/// Host-side decoder for Chafon / UHFReader18-style reader output.
///
/// With no sync byte, a CRC-valid window alone is not trusted: a candidate is accepted only when `Len`, the
/// address, a known response command, its status and the inner lengths agree with each other and with the CRC.
/// Bytes of one frame arrive < 15 ms apart (the manuals), so a partial frame is dropped after that gap.
public struct ChafonDecoder: ReaderFrameDecoder {
    private var scanner: FrameScanner<ChafonResponseGrammar>

    /// `address`: nil accepts any reader address; otherwise only this one (0xFF broadcast always accepted).
    public init(address: UInt8? = nil, interByteTimeoutNanos: UInt64 = 15_000_000) {
        scanner = FrameScanner(grammar: ChafonResponseGrammar(address: address), timeout: interByteTimeoutNanos)
    }

    public mutating func feed(_ bytes: [UInt8], now: UInt64) -> [ReaderOutput] { scanner.feed(bytes, now: now) }
    public var deadline: UInt64? { scanner.deadline }
    public mutating func expire(now: UInt64) -> [ReaderOutput] { scanner.expire(now: now) }
    public mutating func finish() -> [ReaderOutput] { scanner.finish() }
    /// Bytes held for an undecided candidate (bounded by about two maximum frames).
    public var bufferedByteCount: Int { scanner.buffer.count }
    /// Bytes that ended up in accepted frames (for accounting: accepted + rejected + buffered = fed).
    public var acceptedByteCount: Int { scanner.acceptedByteCount }
}

struct ChafonResponseGrammar: FrameGrammar {
    let address: UInt8?

    var maxFrameLength: Int { 256 }

    static func rejected(_ run: RejectedBytes) -> ReaderOutput { .rejected(run) }

    func examine(_ bytes: ArraySlice<UInt8>) -> ScanVerdict<ReaderOutput> {
        let len = Int(bytes.byteAt(0))
        guard len >= 5 else { return .skip(.garbage) }
        guard bytes.count >= 2 else { return .needMore }
        let adr = bytes.byteAt(1)
        if let wanted = address, adr != wanted, adr != ChafonFrame.broadcast { return .skip(.garbage) }
        guard bytes.count >= 3 else { return .needMore }
        let cmd = bytes.byteAt(2)
        guard bytes.count >= 4 else { return .needMore }
        let status = bytes.byteAt(3)
        // Prefix checks first, so a false start is given up as soon as possible.
        switch cmd {
        case ChafonFrame.inventory:
            guard (0x01...0x04).contains(status), len >= 6 else { return .skip(.garbage) }
        case ChafonFrame.realTime:
            guard status == 0x00, len >= 9 else { return .skip(.garbage) }
            if bytes.count >= 5, ChafonFrame.antenna(mask: bytes.byteAt(4)) == nil { return .skip(.garbage) }
            if bytes.count >= 6, Int(bytes.byteAt(5)) != len - 8 { return .skip(.garbage) }
        case ChafonFrame.readerInfo:
            guard status == 0x00, (13...25).contains(len) else { return .skip(.garbage) }
        default:
            guard ChafonFrame.settingReplies.contains(cmd), status == 0x00, len == 5 else { return .skip(.garbage) }
        }
        let length = len + 1
        guard bytes.count >= length else { return .needMore }
        let crc = UInt16(bytes.byteAt(length - 2)) | UInt16(bytes.byteAt(length - 1)) << 8
        guard ChafonCRC.checksum(bytes.prefix(length - 2)) == crc else { return .skip(.badCRC) }
        let frame = Array(bytes.prefix(length))
        let data = Array(frame[4..<length - 2])
        let reply = ReaderOutput.reply(ReaderReply(command: cmd, status: UInt16(status), data: data, frame: frame))
        switch cmd {
        case ChafonFrame.inventory:
            guard let reads = Self.inventoryReads(data) else { return .skip(.malformed) }
            if reads.isEmpty { return .frame(length: length, outputs: [reply]) }
            return .frame(
                length: length,
                outputs: reads.map { read in
                    var read = read
                    read.frame = frame
                    return .tag(read)
                })
        case ChafonFrame.realTime:
            let epc = Array(data[2..<data.count - 1])
            let read = TagRead(
                epc: epc, antenna: ChafonFrame.antenna(mask: data[0]), rssiRaw: Int(data[data.count - 1]),
                frame: frame)
            return .frame(length: length, outputs: [.tag(read)])
        default:
            return .frame(length: length, outputs: [reply])
        }
    }

    /// Tag reads of an 0x01 answer, nil when the inner lengths do not fill the frame exactly.
    ///
    /// UHFReader18 layout `Num {EPC-len EPC}×Num` first; failing that the UHFReader288 answer-mode layout
    /// `Ant Num {EPC-len EPC RSSI}×Num` (wabson/chafon-rfid `chafon_rfid/uhfreader288m.py`, test frames in
    /// `tests/test_uhfreader288.py`), which also carries the antenna mask and a raw RSSI.
    static func inventoryReads(_ data: [UInt8]) -> [TagRead]? {
        if let reads = entries(data, from: 1, count: Int(data[0]), rssi: false) {
            return reads
        }
        guard data.count >= 2, let antenna = ChafonFrame.antenna(mask: data[0]),
            let reads = entries(data, from: 2, count: Int(data[1]), rssi: true)
        else { return nil }
        return reads.map { read in
            var read = read
            read.antenna = antenna
            return read
        }
    }

    private static func entries(_ data: [UInt8], from start: Int, count: Int, rssi: Bool) -> [TagRead]? {
        var i = start
        var reads: [TagRead] = []
        for _ in 0..<count {
            guard i < data.count else { return nil }
            let n = Int(data[i])
            let end = i + 1 + n + (rssi ? 1 : 0)
            guard n >= 1, end <= data.count else { return nil }
            reads.append(
                TagRead(epc: Array(data[i + 1..<i + 1 + n]), rssiRaw: rssi ? Int(data[end - 1]) : nil))
            i = end
        }
        return i == data.count ? reads : nil
    }
}
