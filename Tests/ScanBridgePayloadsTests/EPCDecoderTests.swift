import Testing

@testable import ScanBridgePayloads

@Suite("EPC Tag Data Standard")
struct EPCDecoderTests {
    @Test("TDS example: SGTIN-96 3074257BF7194E4000001A85")
    func sgtin96Example() throws {
        let tag = try #require(EPCDecoder.decode(hex: "3074257BF7194E4000001A85").tag)
        #expect(tag.scheme == .sgtin96)
        #expect(tag.filter == 3)
        #expect(tag.uri == "urn:epc:id:sgtin:0614141.812345.6789")
        #expect(tag.tagURI == "urn:epc:tag:sgtin-96:3.0614141.812345.6789")
        #expect(tag.gtin == "80614141123458")
        #expect(tag.serial == "6789")
        #expect(tag.elementString == "(01)80614141123458(21)6789")
        // Case, 0x and separators do not matter.
        #expect(EPCDecoder.decode(hex: "0x3074 257b f719 4e40 0000 1a85").tag == tag)
    }

    @Test(
        "Decoded the same way as an independent implementation (epc-tds 1.4.1)",
        arguments: [
            ("3178E61C883950F59A000000", "urn:epc:id:sscc:235634.35321345434", "323563453213454346"),
            ("317A7202CC164BA20B000000", "urn:epc:id:sscc:641035.51913662987", "564103519136629878"),
        ])
    func ssccExamples(hex: String, uri: String, sscc: String) throws {
        let tag = try #require(EPCDecoder.decode(hex: hex).tag)
        #expect(tag.uri == uri)
        #expect(tag.sscc == sscc)
    }

    @Test("SGTIN-198 serials are text, URI-escaped in URIs")
    func sgtin198() throws {
        var writer = EPCBitWriter()
        writer.append(0x36, bits: 8)
        writer.append(3, bits: 3)
        writer.append(5, bits: 3)
        writer.append(614141, bits: 24)
        writer.append(812345, bits: 20)
        for byte in "AB/1%z".utf8 { writer.append(UInt64(byte), bits: 7) }
        writer.append(0, bits: 140 - 6 * 7)
        let tag = try #require(EPCDecoder.decode(hex: writer.hex).tag)
        #expect(tag.serial == "AB/1%z")
        #expect(tag.uri == "urn:epc:id:sgtin:0614141.812345.AB%2F1%25z")
        #expect(tag.tagURI == "urn:epc:tag:sgtin-198:3.0614141.812345.AB%2F1%25z")
        #expect(tag.gtin == "80614141123458")
    }

    @Test("Other schemes")
    func otherSchemes() throws {
        // SGLN-96: company prefix 0614141, location 12345, extension 400.
        var sgln = EPCBitWriter()
        sgln.append(0x32, bits: 8)
        sgln.append(1, bits: 3)
        sgln.append(5, bits: 3)
        sgln.append(614141, bits: 24)
        sgln.append(12345, bits: 17)
        sgln.append(400, bits: 41)
        let location = try #require(EPCDecoder.decode(hex: sgln.hex).tag)
        #expect(location.uri == "urn:epc:id:sgln:0614141.12345.400")
        #expect(location.tagURI == "urn:epc:tag:sgln-96:1.0614141.12345.400")
        #expect(location.gln == "0614141123452")
        #expect(location.glnExtension == "400")
        #expect(location.elementString == "(414)0614141123452(254)400")

        // GRAI-96: asset type 12345, serial 5678.
        var grai = EPCBitWriter()
        grai.append(0x33, bits: 8)
        grai.append(0, bits: 3)
        grai.append(5, bits: 3)
        grai.append(614141, bits: 24)
        grai.append(12345, bits: 20)
        grai.append(5678, bits: 38)
        let asset = try #require(EPCDecoder.decode(hex: grai.hex).tag)
        #expect(asset.uri == "urn:epc:id:grai:0614141.12345.5678")
        #expect(asset.grai == "06141411234525678")
        #expect(asset.elementString == "(8003)006141411234525678")

        // GIAI-96: individual asset reference 5678.
        var giai = EPCBitWriter()
        giai.append(0x34, bits: 8)
        giai.append(2, bits: 3)
        giai.append(5, bits: 3)
        giai.append(614141, bits: 24)
        giai.append(5678, bits: 58)
        let individual = try #require(EPCDecoder.decode(hex: giai.hex).tag)
        #expect(individual.uri == "urn:epc:id:giai:0614141.5678")
        #expect(individual.tagURI == "urn:epc:tag:giai-96:2.0614141.5678")
        #expect(individual.giai == "06141415678")

        // GID-96.
        var gid = EPCBitWriter()
        gid.append(0x35, bits: 8)
        gid.append(95_100_000, bits: 28)
        gid.append(12345, bits: 24)
        gid.append(400, bits: 36)
        let general = try #require(EPCDecoder.decode(hex: gid.hex).tag)
        #expect(general.uri == "urn:epc:id:gid:95100000.12345.400")
        #expect(general.tagURI == "urn:epc:tag:gid-96:95100000.12345.400")
        #expect(general.filter == nil)
    }

    @Test("An unknown header is a typed result, not an error")
    func unknownHeader() {
        #expect(
            EPCDecoder.decode(hex: "E2801160600002054E2D1A85")
                == .notDecoded(header: 0xE2, reason: "not an EPC scheme we decode: header 0xE2"))
        #expect(
            EPCDecoder.decode(hex: "2D00000000000000000000000")
                == .notDecoded(header: 0x2D, reason: "not an EPC scheme we decode: header 0x2D (gsrn-96)"))
    }

    @Test("Errors say where and why")
    func errors() {
        #expect(
            EPCDecoder.decode(hex: "3074257BF7194E40000").problems.map(\.description) == [
                "sgtin-96 needs 96 bits, got 76"
            ])
        #expect(
            EPCDecoder.decode(hex: "307G").problems.map(\.description) == ["character 4, 'G', is not a hex digit"])
        #expect(EPCDecoder.decode(hex: "").problems.map(\.description) == ["no hex digits"])
        // Partition 7.
        #expect(
            EPCDecoder.decode(hex: "307C257BF7194E4000001A85").problems.map(\.description) == [
                "position 11: sgtin-96 bit 11: partition 7 is not defined (0 to 6)"
            ])
        // Partition 0 leaves 4 bits for a 1-digit item reference: 15 does not fit.
        var writer = EPCBitWriter()
        writer.append(0x30, bits: 8)
        writer.append(0, bits: 6)
        writer.append(614141, bits: 40)
        writer.append(15, bits: 4)
        writer.append(1, bits: 38)
        #expect(
            EPCDecoder.decode(hex: writer.hex).problems.map(\.description) == [
                "position 54: sgtin-96 bit 54: reference 15 has more than the 1 digits of partition 0"
            ])
        #expect(
            EPCDecoder.decode(hex: "3074257BF7194E4000001A8500000001").problems.map(\.description) == [
                "bits after the 96 of sgtin-96 are not zero"
            ])
        #expect(EPCDecoder.decode(hex: "3074257BF7194E4000001A850000").tag != nil)
        #expect(EPCDecoder.decode(hex: String(repeating: "0", count: 5000)).problems.count == 1)
    }
}
