/// Chafon / UHFReader18-style framing (CF-RU5102, UHFReader288/UR series). There is no sync byte.
///
/// Host → reader: `Len Adr Cmd Data… CRC-LSB CRC-MSB`; reader → host: `Len Adr reCmd Status Data… CRC-LSB
/// CRC-MSB`; `Len` counts every byte after itself, so a frame is `Len + 1` bytes; CRC is `ChafonCRC` over
/// `Len`…`Data`. Sources: wabson/chafon-rfid `chafon_rfid/base.py` (`ReaderCommand.serialize`,
/// `ReaderResponseFrame`), martinprejsa/chafonlib `src/reader.c` (`write_frame`).
public enum ChafonFrame {
    /// Broadcast address: every reader answers it, and a decoder configured for one address still accepts it.
    public static let broadcast: UInt8 = 0xFF
    /// Answer-mode tag inventory (UHFReader18 Cmd 0x01).
    public static let inventory: UInt8 = 0x01
    /// Real-time (auto-upload) inventory output of the 288/UR family (reCmd 0xEE).
    public static let realTime: UInt8 = 0xEE

    /// A host → reader command frame.
    public static func command(address: UInt8, command: UInt8, data: [UInt8]) -> [UInt8] {
        precondition(data.count <= 251, "Chafon Len is one byte")
        return sealed([UInt8(4 + data.count), address, command] + data)
    }

    /// A reader → host response frame.
    public static func response(address: UInt8, command: UInt8, status: UInt8, data: [UInt8]) -> [UInt8] {
        precondition(data.count <= 250, "Chafon Len is one byte")
        return sealed([UInt8(5 + data.count), address, command, status] + data)
    }

    /// UHFReader18 answer-mode inventory answer: status 0x01 (done) … 0x04 (buffer full), `Num`, then per tag
    /// `EPC-len EPC…` (wabson/chafon-rfid `chafon_rfid/uhfreader18.py`, `TagData` in `base.py`, and its test
    /// frames in `tests/test_uhfreader18.py`).
    public static func inventoryAnswer(address: UInt8, epcs: [[UInt8]], status: UInt8 = 0x01) -> [UInt8] {
        var data: [UInt8] = [UInt8(epcs.count)]
        for epc in epcs {
            precondition((1...255).contains(epc.count), "an EPC entry is 1…255 bytes")
            data.append(UInt8(epc.count))
            data += epc
        }
        return response(address: address, command: inventory, status: status, data: data)
    }

    /// 288/UR real-time output: status 0x00, antenna bit mask (0x01 = antenna 1 … 0x08 = antenna 4),
    /// EPC length, EPC, one RSSI byte of undocumented unit. Layout as the public parsers read it (a Go Chafon
    /// client's `handlePacket`, found via the search tool without a repository name; and an E310 protocol
    /// library README "Auto-upload: Len Adr EE 00 Ant Len EPC… RSSI CRC CRC").
    public static func realTimeTag(address: UInt8, antenna: Int, epc: [UInt8], rssi: UInt8) -> [UInt8] {
        precondition((1...8).contains(antenna), "the antenna mask is one byte")
        precondition((1...247).contains(epc.count), "the EPC must fit one frame")
        let mask = UInt8(1) << UInt8(antenna - 1)
        return response(
            address: address, command: realTime, status: 0x00, data: [mask, UInt8(epc.count)] + epc + [rssi])
    }

    static func sealed(_ body: [UInt8]) -> [UInt8] {
        let crc = ChafonCRC.checksum(body)
        return body + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }

    /// Antenna number (1-based) for a one-bit antenna mask, nil for anything else.
    static func antenna(mask: UInt8) -> Int? {
        guard mask != 0, mask & (mask - 1) == 0 else { return nil }
        return mask.trailingZeroBitCount + 1
    }

    /// Reader-setting replies documented as command codes in wabson/chafon-rfid `chafon_rfid/command.py`
    /// (set frequency 0x22, address 0x24, inventory time 0x25, baud rate 0x28, RF power 0x2F, work mode 0x35 / 0x76,
    /// buzzer 0x40): a bare status with no data. Acousto-optic control 0x33 (LED and buzzer,
    /// ZK-RFID102 UHF RFID Reader User's Manual V2.0 §8.4.7, a UHFReader18 clone) answers the same
    /// way; the agent sends it as a profile's feedback.
    static let settingReplies: Set<UInt8> = [0x22, 0x24, 0x25, 0x28, 0x2F, 0x33, 0x35, 0x40, 0x76]
    /// Get reader information (0x21): version(2) type tr_type dmaxfre dminfre power scan_time (`ReaderInfoFrame`);
    /// newer models append a few bytes.
    static let readerInfo: UInt8 = 0x21

    /// Host commands in the same table (G2 tag operations 0x01…0x1B and the reader settings above).
    static let hostCommands: Set<UInt8> = Set(
        [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0F, 0x10, 0x11, 0x12, 0x15,
            0x16, 0x18, 0x19, 0x1A, 0x1B, 0x21,
        ] as [UInt8]
    ).union(settingReplies)
}
