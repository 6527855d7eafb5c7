/// ThingMagic Mercury serial framing (M5e/M6e/Nano).
///
/// Host → reader: `FF len opcode data… crcHi crcLo`; reader → host: `FF len opcode statusHi statusLo data… crcHi
/// crcLo`; `len` counts `data` only; the CRC (`MercuryCRC`) covers everything after `FF`. Sources: Mercury API C
/// `serial_reader_l3.c` (`TMR_SR_sendMessage`, `TMR_SR_receiveMessage`) and SparkFun
/// `sparkfun/SparkFun_Simultaneous_RFID_Tag_Reader_Library` `src/SparkFun_UHF_RFID_Reader.cpp` (`sendCommand`,
/// `check`, `parseResponse`).
public enum MercuryFrame {
    public static let header: UInt8 = 0xFF
    /// `TMR_SR_OPCODE_READ_TAG_ID_MULTIPLE`: streamed continuous-read tag reports and keep-alives.
    public static let readTagIDMultiple: UInt8 = 0x22
    /// `TMR_SR_OPCODE_MULTI_PROTOCOL_TAG_OP`: starts/stops continuous reading.
    public static let multiProtocolTagOp: UInt8 = 0x2F
    /// Status of the once-a-second keep-alive during continuous reading (SparkFun `RESPONSE_IS_KEEPALIVE`).
    public static let keepAliveStatus: UInt16 = 0x0400

    /// The metadata flags `tagReport` uses: read count, RSSI, antenna, frequency, timestamp, phase, protocol,
    /// data, GPIO (0x01FF) — the set SparkFun's `startReading` asks for, so reports look like a real Nano's.
    public static let tagReportMetadataFlags: UInt16 = 0x01FF

    /// A host → reader command frame.
    public static func command(opcode: UInt8, data: [UInt8]) -> [UInt8] {
        precondition(data.count <= 255, "Mercury data is at most 255 bytes")
        return sealed([UInt8(data.count), opcode] + data)
    }

    /// A reader → host response frame.
    public static func response(opcode: UInt8, status: UInt16, data: [UInt8]) -> [UInt8] {
        precondition(data.count <= 255, "Mercury data is at most 255 bytes")
        return sealed([UInt8(data.count), opcode, UInt8(status >> 8), UInt8(status & 0xFF)] + data)
    }

    /// A streamed 0x22 continuous-read tag report as an M6e/Nano sends it after SparkFun's `startReading`
    /// (layout of the example in SparkFun `parseResponse`, fields as `TMR_SR_parseMetadataFromMessage` reads them):
    /// status 0000, option 0x10 (metadata follows), search flags 001B, metadata flags 01FF, tag count 1, read count,
    /// RSSI (int8 dBm), antenna (TX port × 16 + RX port), frequency (kHz, 3 bytes), timestamp (ms, 4 bytes),
    /// phase (2), protocol (05 = Gen2), embedded data length in bits (2) + data, GPIO byte, EPC length in bits
    /// (2, counting PC word, EPC and tag CRC), PC word, EPC, tag CRC.
    /// Uses `epc` (≤ 62 bytes), `antenna` (1…16, default 1), `rssiDBm` (default −60), `readCount` (1…255).
    public static func tagReport(_ read: TagRead) -> [UInt8] {
        precondition(read.epc.count <= 62, "Gen2 EPC is at most 496 bits")
        let port = UInt8(truncatingIfNeeded: (read.antenna ?? 1) & 0x0F)  // antenna 16 wraps to 0 (Mercury API)
        let words = (read.epc.count + 1) / 2
        let pc: [UInt8] = [UInt8(words << 3), 0x00]  // length field only; XPC indicator clear
        let tagCRC = gen2CRC(pc + read.epc)
        let epcBits = UInt16((2 + read.epc.count + 2) * 8)
        var data: [UInt8] = [
            0x10, 0x00, 0x1B, UInt8(tagReportMetadataFlags >> 8), UInt8(tagReportMetadataFlags & 0xFF),
        ]
        data.append(0x01)  // tag count
        data.append(UInt8(clamping: read.readCount))
        data.append(UInt8(bitPattern: Int8(clamping: read.rssiDBm ?? -60)))
        data.append(port << 4 | port)
        data += [0x0D, 0xF7, 0x32]  // 915 250 kHz
        data += [0x00, 0x00, 0x00, 0x00]  // timestamp
        data += [0x00, 0x00]  // phase
        data.append(0x05)  // Gen2
        data += [0x00, 0x00]  // no embedded data
        data.append(0x00)  // GPIO
        data += [UInt8(epcBits >> 8), UInt8(epcBits & 0xFF)]
        data += pc + read.epc + [UInt8(tagCRC >> 8), UInt8(tagCRC & 0xFF)]
        return response(opcode: readTagIDMultiple, status: 0x0000, data: data)
    }

    /// The keep-alive a reader sends once a second during continuous reading (`FF 00 22 04 00` + CRC).
    public static let keepAlive: [UInt8] = response(opcode: 0x22, status: keepAliveStatus, data: [])

    /// The complete 0x2F frame SparkFun's `startReading` sends (its `configBlob`, continuous Gen2 read with
    /// metadata flags 01FF).
    public static let startContinuousReading: [UInt8] = command(
        opcode: multiProtocolTagOp,
        data: [0x00, 0x00, 0x01, 0x22, 0x00, 0x00, 0x05, 0x07, 0x22, 0x10, 0x00, 0x1B, 0x03, 0xE8, 0x01, 0xFF])

    /// The complete stop frame SparkFun's `stopReading` sends (timeout 0000, option 02 = stop continuous reading).
    public static let stopContinuousReading: [UInt8] = command(opcode: multiProtocolTagOp, data: [0x00, 0x00, 0x02])

    private static func sealed(_ body: [UInt8]) -> [UInt8] {
        let crc = MercuryCRC.checksum(body)
        return [header] + body + [UInt8(crc >> 8), UInt8(crc & 0xFF)]
    }

    /// The tag's own CRC-16 over PC + EPC (EPC Gen2: CRC-16/GENIBUS), so simulated reports carry a realistic value.
    static func gen2CRC(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return ~crc
    }

    /// Opcodes from Mercury API `serial_reader_imp.h` (`TMR_SR_OpCode`); a frame with any other opcode is taken
    /// for noise, since the protocol has no other sync than `FF`.
    static func isKnownOpcode(_ opcode: UInt8) -> Bool {
        switch opcode {
        case 0x03...0x10, 0x21...0x2F, 0x61...0x72, 0x91...0x9F, 0xC1...0xC3: return true
        default: return false
        }
    }

    /// Status words are grouped by their high byte (0x00 success, 0x01 message, 0x02 flash/boot, 0x03 …,
    /// 0x04 protocol/tag, 0x05 analog hardware, 0x06–0x07 …, 0x7F system); anything else is noise.
    static func isPlausibleStatusHigh(_ high: UInt8) -> Bool { high <= 0x07 || high == 0x7F }
}
