import Foundation
import Testing

@testable import ScanBridgePayloads

/// Encode → decode round trips with seeded random data.
@Suite("Round-trip properties")
struct RoundTripPropertyTests {
    /// A random valid GS1 message: a GTIN plus a random selection of attributes that respects the pairing rules.
    static func randomMessage(_ random: inout SeededGenerator) -> [(String, String)] {
        var elements: [(String, String)] = [("01", GS1CheckDigit.appending(to: random.digits(13)))]
        var optional: [(String, String)] = []
        func date(_ random: inout SeededGenerator) -> String {
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 0...28, using: &random)
            return random.digits(2) + GS1Date.twoDigits(month) + GS1Date.twoDigits(day)
        }
        if Bool.random(using: &random) {
            optional.append(("10", random.cset82(Int.random(in: 1...20, using: &random))))
        }
        if Bool.random(using: &random) {
            optional.append(("21", random.cset82(Int.random(in: 1...20, using: &random))))
        }
        for ai in ["11", "13", "15", "16", "17"] where Bool.random(using: &random) {
            optional.append((ai, date(&random)))
        }
        let measure = Bool.random(using: &random)
        if measure {
            let family = ["310", "311", "312", "313", "314", "315", "316", "320", "356", "360"].randomElement(
                using: &random)!
            optional.append((family + String(Int.random(in: 0...5, using: &random)), random.digits(6)))
            if Bool.random(using: &random) {
                let places = String(Int.random(in: 0...9, using: &random))
                if Bool.random(using: &random) {
                    optional.append(("392" + places, random.digits(Int.random(in: 1...15, using: &random))))
                } else {
                    let currency = ["978", "840", "826", "392", "756"].randomElement(using: &random)!
                    optional.append(("393" + places, currency + random.digits(Int.random(in: 1...15, using: &random))))
                }
            }
        }
        optional.shuffle(using: &random)
        elements += optional
        return elements
    }

    @Test("Element string, human-readable form and Digital Link all decode to the encoded elements")
    func gs1RoundTrips() {
        var random = SeededGenerator(seed: 0x6751)
        for _ in 0..<500 {
            let message = Self.randomMessage(&random)
            let encoded = ElementStringEncoder.encode(message)
            let decoding = BarcodeDecoder.decode("]d2" + encoded)
            #expect(decoding.isValid, "\(encoded.debugDescription): \(decoding.problems)")
            #expect(decoding.elements.map(\.ai) == message.map(\.0))
            #expect(decoding.elements.map(\.value) == message.map(\.1))
            #expect(decoding.gtin == message[0].1)

            let fromText = BarcodeDecoder.decode(decoding.humanReadable)
            #expect(fromText.elements == decoding.elements)
            #expect(fromText.isValid)

            // Digital Link: key and qualifiers in the path (in dlpkey order), the rest as query attributes.
            var path = "https://id.example.com/01/" + message[0].1
            for qualifier in ["10", "21"] {
                if let value = message.first(where: { $0.0 == qualifier })?.1 {
                    path += "/\(qualifier)/" + ElementStringEncoder.percentEncoded(value)
                }
            }
            let attributes = message.dropFirst().filter { $0.0 != "10" && $0.0 != "21" }
            if !attributes.isEmpty {
                path +=
                    "?"
                    + attributes.map { "\($0.0)=" + ElementStringEncoder.percentEncoded($0.1) }
                    .joined(separator: "&")
            }
            let link = BarcodeDecoder.decode(path)
            #expect(link.isValid, "\(path): \(link.problems)")
            #expect(Set(link.elements) == Set(decoding.elements))

            // Exact decimals: the digits survive, only the point moves.
            for element in decoding.elements {
                if let decimal = element.decimal {
                    let digits = element.currency == nil ? element.value : String(element.value.dropFirst(3))
                    let stripped = decimal.replacingOccurrences(of: ".", with: "")
                    #expect(
                        stripped.drop { $0 == "0" } == digits.drop { $0 == "0" },
                        "\(element.ai) \(element.value) → \(decimal)")
                }
            }
        }
    }

    @Test("Random bytes never trap and always give a verdict")
    func randomBytes() {
        var random = SeededGenerator(seed: 0xF022)
        let alphabet = Array("0123456789()]C1dQ3eE04ABC-/%?&=:\u{1D}".utf8)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...60, using: &random)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random)
                    ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            let decoding = BarcodeDecoder.decode(bytes)
            if decoding.isGS1, decoding.isValid, !decoding.elements.isEmpty {
                #expect(BarcodeDecoder.decode(decoding.humanReadable).elements == decoding.elements)
            }
        }
    }

    @Test("EPC binary encode → decode for every scheme and partition")
    func epcRoundTrips() throws {
        var random = SeededGenerator(seed: 0xE9C)
        func below(_ digits: Int, bits: Int) -> UInt64 {
            var limit: UInt64 = 1
            for _ in 0..<digits { limit *= 10 }
            let bitLimit: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits))
            return UInt64.random(in: 0..<min(limit, bitLimit), using: &random)
        }
        func padded(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        for _ in 0..<400 {
            let filter = UInt64.random(in: 0...7, using: &random)
            let p = Int.random(in: 0...6, using: &random)

            let sgtin = EPCPartitionTable.sgtin[p]
            let prefix = below(sgtin.companyPrefixDigits, bits: sgtin.companyPrefixBits)
            let item = below(sgtin.referenceDigits, bits: sgtin.referenceBits)
            let serial = UInt64.random(in: 0..<(1 << 38), using: &random)
            var writer = EPCBitWriter()
            writer.append(0x30, bits: 8)
            writer.append(filter, bits: 3)
            writer.append(UInt64(p), bits: 3)
            writer.append(prefix, bits: sgtin.companyPrefixBits)
            writer.append(item, bits: sgtin.referenceBits)
            writer.append(serial, bits: 38)
            let tag = try #require(EPCDecoder.decode(hex: writer.hex).tag)
            let cp = padded(prefix, sgtin.companyPrefixDigits)
            let ref = padded(item, sgtin.referenceDigits)
            #expect(tag.uri == "urn:epc:id:sgtin:\(cp).\(ref).\(serial)")
            #expect(tag.tagURI == "urn:epc:tag:sgtin-96:\(filter).\(cp).\(ref).\(serial)")
            let gtin = try #require(tag.gtin)
            #expect(GS1CheckDigit.isValid(gtin))
            #expect(gtin.count == 14 && gtin.hasPrefix(String(ref.prefix(1)) + cp))
            // The GS1 element string it implies is itself valid GS1 data.
            let elements = BarcodeDecoder.decode(try #require(tag.elementString))
            #expect(elements.gtin == gtin && elements.element("21")?.value == String(serial))

            let sscc = EPCPartitionTable.sscc[p]
            let ssccPrefix = below(sscc.companyPrefixDigits, bits: sscc.companyPrefixBits)
            let serialReference = below(sscc.referenceDigits, bits: sscc.referenceBits)
            var ssccWriter = EPCBitWriter()
            ssccWriter.append(0x31, bits: 8)
            ssccWriter.append(filter, bits: 3)
            ssccWriter.append(UInt64(p), bits: 3)
            ssccWriter.append(ssccPrefix, bits: sscc.companyPrefixBits)
            ssccWriter.append(serialReference, bits: sscc.referenceBits)
            ssccWriter.append(0, bits: 24)
            let ssccTag = try #require(EPCDecoder.decode(hex: ssccWriter.hex).tag)
            let ssccCP = padded(ssccPrefix, sscc.companyPrefixDigits)
            let ssccRef = padded(serialReference, sscc.referenceDigits)
            #expect(ssccTag.uri == "urn:epc:id:sscc:\(ssccCP).\(ssccRef)")
            let ssccKey = try #require(ssccTag.sscc)
            #expect(ssccKey.count == 18 && GS1CheckDigit.isValid(ssccKey))
            #expect(BarcodeDecoder.decode(try #require(ssccTag.elementString)).isValid)

            // SGTIN-198 with a random CSET 82 serial.
            let text = random.cset82(Int.random(in: 1...20, using: &random))
            var long = EPCBitWriter()
            long.append(0x36, bits: 8)
            long.append(filter, bits: 3)
            long.append(UInt64(p), bits: 3)
            long.append(prefix, bits: sgtin.companyPrefixBits)
            long.append(item, bits: sgtin.referenceBits)
            for byte in text.utf8 { long.append(UInt64(byte), bits: 7) }
            long.append(0, bits: 140 - 7 * text.utf8.count)
            let longTag = try #require(EPCDecoder.decode(hex: long.hex).tag)
            #expect(longTag.serial == text)
            #expect(longTag.gtin == gtin)
        }
    }
}
