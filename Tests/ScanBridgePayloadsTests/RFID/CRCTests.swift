import PropertyBased
import ScanBridgePayloads
import Testing

/// CRC-16/SPI-FUJITSU (poly 0x1021, init 0x1D0F, no reflection, no final XOR), written out bit by bit.
func spiFujitsu(_ bytes: [UInt8]) -> UInt16 {
    var crc: UInt16 = 0x1D0F
    for byte in bytes {
        crc ^= UInt16(byte) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
    }
    return crc
}

@Suite struct CRCTests {
    @Test func mercuryCheckValue() {
        #expect(MercuryCRC.checksum("123456789".utf8) == 0xA69D)
        #expect(MercuryCRC.checksum("123456789".utf8) != 0x29B1)  // not CRC-16/IBM-3740
    }

    @Test func mercuryEqualsAugmentedSPIFujitsu() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...64)) { message in
            #expect(MercuryCRC.checksum(message + [0, 0]) == spiFujitsu(message))
        }
    }

    @Test func chafonCheckValue() {
        #expect(ChafonCRC.checksum("123456789".utf8) == 0x6F91)
    }
}
