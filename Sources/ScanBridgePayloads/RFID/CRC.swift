/// ThingMagic's `tm_crc` (Mercury API `serial_reader_l3.c`, also SparkFun `calculateCRC`): poly 0x1021, register
/// 0xFFFF, message bits shifted into the register, no augmentation bits. Not CRC-16/IBM-3740.
public enum MercuryCRC {
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            // Two nibbles per byte, as the reference's 16-entry table does.
            crc = ((crc << 4) | UInt16(byte >> 4)) ^ nibbleTable[Int(crc >> 12)]
            crc = ((crc << 4) | UInt16(byte & 0x0F)) ^ nibbleTable[Int(crc >> 12)]
        }
        return crc
    }

    private static let nibbleTable: [UInt16] = (0..<16).map { nibble in
        var product: UInt16 = 0
        for bit in 0..<4 where nibble & (1 << bit) != 0 { product ^= 0x1021 << UInt16(bit) }
        return product
    }
}

/// CRC-16/MCRF4XX as Chafon/UHFReader18 readers use it: reflected poly 0x8408, init 0xFFFF, no final XOR,
/// sent least significant byte first (`chafon_rfid/base.py` in wabson/chafon-rfid, `crc16_mcrf4xx` in
/// martinprejsa/chafonlib `src/reader.c`).
public enum ChafonCRC {
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x8408 : crc >> 1 }
        }
        return crc
    }
}
