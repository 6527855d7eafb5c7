/// Host-side decoder for Mercury response frames (see `MercuryFrame` for the layout and sources).
///
/// Streamed 0x22 tag reports become `.tag`; keep-alives, empty or failed 0x22 and every other valid response become
/// `.reply`. A candidate is accepted only when the opcode is known, the status word plausible, the CRC right and,
/// for a tag report, the metadata and EPC lengths fill the frame exactly.
public struct MercuryDecoder: ReaderFrameDecoder {
    private var scanner: FrameScanner<MercuryResponseGrammar>

    public init(interByteTimeoutNanos: UInt64 = 50_000_000) {
        scanner = FrameScanner(grammar: MercuryResponseGrammar(), timeout: interByteTimeoutNanos)
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

struct MercuryResponseGrammar: FrameGrammar {
    var maxFrameLength: Int { 255 + 7 }

    static func rejected(_ run: RejectedBytes) -> ReaderOutput { .rejected(run) }

    func examine(_ bytes: ArraySlice<UInt8>) -> ScanVerdict<ReaderOutput> {
        guard bytes.byteAt(0) == MercuryFrame.header else { return .skip(.garbage) }
        guard bytes.count >= 3 else { return .needMore }
        guard MercuryFrame.isKnownOpcode(bytes.byteAt(2)) else { return .skip(.garbage) }
        guard bytes.count >= 4 else { return .needMore }
        guard MercuryFrame.isPlausibleStatusHigh(bytes.byteAt(3)) else { return .skip(.garbage) }
        let length = Int(bytes.byteAt(1)) + 7
        guard bytes.count >= length else { return .needMore }
        let body = bytes[bytes.startIndex + 1..<bytes.startIndex + length - 2]
        guard MercuryCRC.checksum(body) == bytes.u16be(length - 2) else { return .skip(.badCRC) }
        let frame = Array(bytes.prefix(length))
        let opcode = frame[2]
        let status = UInt16(frame[3]) << 8 | UInt16(frame[4])
        let data = Array(frame[5..<length - 2])
        if opcode == MercuryFrame.readTagIDMultiple, status == 0, let layout = MercuryTagReportLayout(data) {
            switch layout {
            case .tag(var read):
                read.frame = frame
                return .frame(length: length, outputs: [.tag(read)])
            case .inconsistent:
                // CRC-valid but the lengths do not add up: treat as a false candidate and re-scan inside it.
                return .skip(.malformed)
            }
        }
        return .frame(
            length: length, outputs: [.reply(ReaderReply(command: opcode, status: status, data: data, frame: frame))])
    }
}

/// Parses the data of a streamed 0x22 report: option, search flags, metadata flags at frame offset 8 ("In case of
/// streaming the flags always start at position 8", Mercury API `serial_reader.c`), tag count, then metadata in
/// `TMR_SR_parseMetadataFromMessage` order and the EPC with its bit length.
enum MercuryTagReportLayout {
    case tag(TagRead)
    case inconsistent

    /// Metadata flags this parser can size (`TMR_TRD_MetadataFlag` 0x0001…0x0100); reports with later flags
    /// (Gen2 Q/LF/target, brand id) are passed on as replies rather than guessed at.
    static let supportedFlags: UInt16 = 0x01FF

    /// nil when the frame is not a metadata tag report (keep-alive, temperature, sync-mode reply, unknown flags).
    init?(_ data: [UInt8]) {
        guard data.count >= 6, data[0] & 0x10 != 0 else { return nil }
        let flags = UInt16(data[3]) << 8 | UInt16(data[4])
        guard flags & ~Self.supportedFlags == 0 else { return nil }
        // A streamed report carries exactly one tag ("Skip tag count (always = 1)"); other counts are not reports.
        guard data[5] == 1 else { return nil }
        var i = 6
        var readCount = 1
        var rssi: Int?
        var antenna: Int?
        var protocolID: UInt8?
        func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard i + n <= data.count else { return nil }
            defer { i += n }
            return data[i..<i + n]
        }
        let sizes: [(UInt16, Int)] = [
            (0x0001, 1), (0x0002, 1), (0x0004, 1), (0x0008, 3), (0x0010, 4), (0x0020, 2), (0x0040, 1),
        ]
        for (flag, size) in sizes where flags & flag != 0 {
            guard let field = take(size) else {
                self = .inconsistent
                return
            }
            let first = field[field.startIndex]
            switch flag {
            case 0x0001: readCount = Int(first)
            case 0x0002: rssi = Int(Int8(bitPattern: first))
            case 0x0004:
                let tx = Int(first >> 4)
                antenna = tx == 0 ? 16 : tx
            case 0x0040: protocolID = first
            default: break
            }
        }
        if flags & 0x0080 != 0 {
            guard let bits = take(2), take((Int(bits.u16be(0)) + 7) / 8) != nil else {
                self = .inconsistent
                return
            }
        }
        if flags & 0x0100 != 0 {
            guard take(1) != nil else {
                self = .inconsistent
                return
            }
        }
        guard let bitField = take(2) else {
            self = .inconsistent
            return
        }
        let epcFieldBytes = (Int(bitField.u16be(0)) + 7) / 8
        guard epcFieldBytes >= 2, i + epcFieldBytes == data.count else {
            self = .inconsistent
            return
        }
        var epcStart = i
        let epcEnd = data.count - 2  // tag CRC
        if protocolID == 0x05 {  // Gen2: PC word, optional XPC_W1 / XPC_W2
            epcStart += 2
            if epcStart <= epcEnd, data[i] & 0x02 != 0 {
                epcStart += 2
                if epcStart <= epcEnd, data[i + 2] & 0x80 != 0 { epcStart += 2 }
            }
        }
        guard epcStart < epcEnd else {
            self = .inconsistent
            return
        }
        self = .tag(
            TagRead(epc: Array(data[epcStart..<epcEnd]), antenna: antenna, rssiDBm: rssi, readCount: readCount))
    }
}
