/// 125 kHz EM4100 readers (RDM6300 class): `STX(0x02)`, 10 ASCII hex characters (the 5 ID bytes), 2 ASCII hex
/// characters of the XOR of those 5 bytes, `ETX(0x03)` — 14 bytes, fixed.
public enum EM4100Frame {
    public static let length = 14

    /// Encodes a 5-byte ID with uppercase hex, as the reader sends it.
    public static func frame(id: [UInt8]) -> [UInt8] {
        precondition(id.count == 5, "an EM4100 ID is 5 bytes")
        let check = id.reduce(0, ^)
        var out: [UInt8] = [0x02]
        for byte in id + [check] { out += ASCIIHex.upper(byte) }
        out.append(0x03)
        return out
    }
}

/// Host-side decoder for EM4100 frames; hex letters of either case are accepted, but not mixed in one frame.
public struct EM4100Decoder: ReaderFrameDecoder {
    private var scanner: FrameScanner<EM4100Grammar>

    public init(interByteTimeoutNanos: UInt64 = 50_000_000) {
        scanner = FrameScanner(grammar: EM4100Grammar(), timeout: interByteTimeoutNanos)
    }

    public mutating func feed(_ bytes: [UInt8], now: UInt64) -> [ReaderOutput] { scanner.feed(bytes, now: now) }
    public var deadline: UInt64? { scanner.deadline }
    public mutating func expire(now: UInt64) -> [ReaderOutput] { scanner.expire(now: now) }
    public mutating func finish() -> [ReaderOutput] { scanner.finish() }
    public var bufferedByteCount: Int { scanner.buffer.count }
    public var acceptedByteCount: Int { scanner.acceptedByteCount }
}

struct EM4100Grammar: FrameGrammar {
    var maxFrameLength: Int { EM4100Frame.length }

    static func rejected(_ run: RejectedBytes) -> ReaderOutput { .rejected(run) }

    func examine(_ bytes: ArraySlice<UInt8>) -> ScanVerdict<ReaderOutput> {
        guard bytes.byteAt(0) == 0x02 else { return .skip(.garbage) }
        // Check each byte as soon as it is there, so a stray STX is given up at the first non-hex byte.
        // Hex letters must all share one case: the reader prints them one way, and a frame whose case changes
        // midway has been corrupted on the wire even if the values still check.
        let available = min(bytes.count, EM4100Frame.length)
        var upper = false
        var lower = false
        for offset in 1..<max(available, 1) {
            let byte = bytes.byteAt(offset)
            if offset <= 12 {
                if ASCIIHex.value(byte) == nil { return .skip(.garbage) }
                if byte >= UInt8(ascii: "a") { lower = true } else if byte >= UInt8(ascii: "A") { upper = true }
                if upper && lower { return .skip(.garbage) }
            } else if byte != 0x03 {
                return .skip(.badLength)
            }
        }
        guard bytes.count >= EM4100Frame.length else { return .needMore }
        var values: [UInt8] = []
        for pair in 0..<6 {
            let high = ASCIIHex.value(bytes.byteAt(1 + 2 * pair))!
            let low = ASCIIHex.value(bytes.byteAt(2 + 2 * pair))!
            values.append(high << 4 | low)
        }
        let id = Array(values[0..<5])
        guard id.reduce(0, ^) == values[5] else { return .skip(.badCRC) }
        let frame = Array(bytes.prefix(EM4100Frame.length))
        return .frame(length: EM4100Frame.length, outputs: [.tag(TagRead(epc: id, frame: frame))])
    }
}

/// ASCII hex helpers shared by the text formats.
enum ASCIIHex {
    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    static func upper(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }

    /// Bytes of an even-length hex string; nil for odd length or a non-hex character.
    static func bytes(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = value(utf8[i]), let low = value(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
