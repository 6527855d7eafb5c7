/// Decodes EPC binary (as hex) per the GS1 EPC Tag Data Standard: SGTIN-96, SGTIN-198, SSCC-96, SGLN-96, GRAI-96,
/// GIAI-96 and GID-96.
///
/// A pure function: no traps, bounded work; inputs longer than `maximumHexLength` characters are rejected.
public enum EPCDecoder {
    public static let maximumHexLength = 4096

    public static func decode(hex: String) -> EPCDecoding {
        guard hex.utf8.count <= maximumHexLength else {
            return .invalid(
                scheme: nil,
                problems: [
                    DecodingProblem(
                        reason: "input is \(hex.utf8.count) characters, more than the \(maximumHexLength) we decode")
                ])
        }
        let (parsed, problem) = EPCBits.parse(hex: hex)
        guard let bits = parsed else {
            return .invalid(scheme: nil, problems: [DecodingProblem(reason: problem ?? "not hex")])
        }
        return decode(bits)
    }

    /// Decodes EPC bytes (the EPC bank from bit 0x20 on, without PC bits).
    public static func decode(bytes: [UInt8]) -> EPCDecoding {
        guard bytes.count * 2 <= maximumHexLength else {
            return .invalid(scheme: nil, problems: [DecodingProblem(reason: "input is \(bytes.count) bytes, too long")])
        }
        guard !bytes.isEmpty else { return .invalid(scheme: nil, problems: [DecodingProblem(reason: "no data")]) }
        return decode(EPCBits(bytes: bytes, count: bytes.count * 8))
    }

    static func decode(_ bits: EPCBits) -> EPCDecoding {
        guard bits.count >= 8 else {
            return .invalid(scheme: nil, problems: [DecodingProblem(reason: "fewer than 8 bits: no EPC header")])
        }
        let header = UInt8(bits.value(at: 0, length: 8))
        guard let scheme = EPCScheme(header: header) else {
            var reason = "not an EPC scheme we decode: header 0x\(GS1Characters.hex(header))"
            if let name = EPCScheme.otherSchemeName(header: header) { reason += " (\(name))" }
            return .notDecoded(header: header, reason: reason)
        }
        guard bits.count >= scheme.bitLength else {
            return .invalid(
                scheme: scheme,
                problems: [
                    DecodingProblem(reason: "\(scheme.rawValue) needs \(scheme.bitLength) bits, got \(bits.count)")
                ])
        }
        guard bits.allZero(from: scheme.bitLength) else {
            return .invalid(
                scheme: scheme,
                problems: [
                    DecodingProblem(reason: "bits after the \(scheme.bitLength) of \(scheme.rawValue) are not zero")
                ])
        }
        var reader = SchemeReader(bits: bits, scheme: scheme)
        let tag = reader.decode()
        if let tag, reader.problems.isEmpty { return .tag(tag) }
        return .invalid(scheme: scheme, problems: reader.problems)
    }
}

/// Reads the fields of one scheme, collecting problems with their bit positions.
private struct SchemeReader {
    let bits: EPCBits
    let scheme: EPCScheme
    var problems: [DecodingProblem] = []

    init(bits: EPCBits, scheme: EPCScheme) {
        self.bits = bits
        self.scheme = scheme
    }

    private mutating func fail(_ bit: Int, _ reason: String) -> EPCTag? {
        problems.append(DecodingProblem(position: bit, reason: "\(scheme.rawValue) bit \(bit): \(reason)"))
        return nil
    }

    /// `value` as exactly `digits` decimal digits; zero digits (SGLN/GRAI partition 0) is the empty string.
    static func padded(_ value: UInt64, digits: Int) -> String {
        if digits == 0 { return "" }
        let text = String(value)
        return digits > text.count ? String(repeating: "0", count: digits - text.count) + text : text
    }

    static func power10(_ digits: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<digits { value *= 10 }
        return value
    }

    /// Reads the company prefix and the reference after it, checking each fits its digits.
    private mutating func readPartitioned(_ table: [EPCPartition], checkReference: Bool = true) -> (
        EPCPartition, String, UInt64, String
    )? {
        let partitionValue = Int(bits.value(at: 11, length: 3))
        guard partitionValue < table.count else {
            _ = fail(11, "partition \(partitionValue) is not defined (0 to 6)")
            return nil
        }
        let partition = table[partitionValue]
        let prefix = bits.value(at: 14, length: partition.companyPrefixBits)
        guard prefix < Self.power10(partition.companyPrefixDigits) else {
            _ = fail(
                14,
                "company prefix \(prefix) has more than the \(partition.companyPrefixDigits) digits "
                    + "of partition \(partitionValue)")
            return nil
        }
        let referenceStart = 14 + partition.companyPrefixBits
        let reference = bits.value(at: referenceStart, length: partition.referenceBits)
        if checkReference, reference >= Self.power10(partition.referenceDigits) {
            _ = fail(
                referenceStart,
                "reference \(reference) has more than the \(partition.referenceDigits) digits "
                    + "of partition \(partitionValue)")
            return nil
        }
        return (
            partition, Self.padded(prefix, digits: partition.companyPrefixDigits), reference,
            Self.padded(reference, digits: partition.referenceDigits)
        )
    }

    mutating func decode() -> EPCTag? {
        let filter = Int(bits.value(at: 8, length: 3))
        switch scheme {
        case .sgtin96, .sgtin198:
            guard let (_, prefix, _, item) = readPartitioned(EPCPartitionTable.sgtin) else { return nil }
            let serial: String
            let serialInURI: String
            if scheme == .sgtin96 {
                serial = String(bits.value(at: 58, length: 38))
                serialInURI = serial
            } else {
                guard let text = readSerialString(from: 58, characters: 20) else { return nil }
                serial = text
                serialInURI = Self.uriEscaped(text)
            }
            let gtin = GS1CheckDigit.appending(to: String(item.prefix(1)) + prefix + String(item.dropFirst()))
            var tag = EPCTag(
                scheme: scheme, filter: filter, uri: "urn:epc:id:sgtin:\(prefix).\(item).\(serialInURI)",
                tagURI: "urn:epc:tag:\(scheme.rawValue):\(filter).\(prefix).\(item).\(serialInURI)")
            tag.companyPrefix = prefix
            tag.gtin = gtin
            tag.serial = serial
            tag.elementString = GS1HumanReadable.text([
                GS1Element(ai: "01", title: "GTIN", value: gtin), GS1Element(ai: "21", title: "SERIAL", value: serial),
            ])
            return tag
        case .sscc96:
            guard let (_, prefix, _, reference) = readPartitioned(EPCPartitionTable.sscc) else { return nil }
            let sscc = GS1CheckDigit.appending(to: String(reference.prefix(1)) + prefix + String(reference.dropFirst()))
            var tag = EPCTag(
                scheme: scheme, filter: filter, uri: "urn:epc:id:sscc:\(prefix).\(reference)",
                tagURI: "urn:epc:tag:sscc-96:\(filter).\(prefix).\(reference)")
            tag.companyPrefix = prefix
            tag.sscc = sscc
            tag.elementString = "(00)" + sscc
            return tag
        case .sgln96:
            guard let (_, prefix, _, location) = readPartitioned(EPCPartitionTable.sgln) else { return nil }
            let gln = GS1CheckDigit.appending(to: prefix + location)
            let extensionText = String(bits.value(at: 55, length: 41))
            var tag = EPCTag(
                scheme: scheme, filter: filter, uri: "urn:epc:id:sgln:\(prefix).\(location).\(extensionText)",
                tagURI: "urn:epc:tag:sgln-96:\(filter).\(prefix).\(location).\(extensionText)")
            tag.companyPrefix = prefix
            tag.gln = gln
            tag.glnExtension = extensionText
            tag.elementString = "(414)" + gln + (extensionText == "0" ? "" : "(254)" + extensionText)
            return tag
        case .grai96:
            guard let (_, prefix, _, assetType) = readPartitioned(EPCPartitionTable.grai) else { return nil }
            let serial = String(bits.value(at: 58, length: 38))
            let grai = GS1CheckDigit.appending(to: prefix + assetType) + serial
            var tag = EPCTag(
                scheme: scheme, filter: filter, uri: "urn:epc:id:grai:\(prefix).\(assetType).\(serial)",
                tagURI: "urn:epc:tag:grai-96:\(filter).\(prefix).\(assetType).\(serial)")
            tag.companyPrefix = prefix
            tag.grai = grai
            tag.serial = serial
            tag.elementString = "(8003)0" + grai
            return tag
        case .giai96:
            guard let (_, prefix, reference, _) = readPartitioned(EPCPartitionTable.giai96, checkReference: false)
            else { return nil }
            let asset = String(reference)
            let giai = prefix + asset
            guard giai.count <= 30 else { return fail(14, "GIAI \(giai) is longer than 30 characters") }
            var tag = EPCTag(
                scheme: scheme, filter: filter, uri: "urn:epc:id:giai:\(prefix).\(asset)",
                tagURI: "urn:epc:tag:giai-96:\(filter).\(prefix).\(asset)")
            tag.companyPrefix = prefix
            tag.giai = giai
            tag.elementString = "(8004)" + giai
            return tag
        case .gid96:
            let manager = String(bits.value(at: 8, length: 28))
            let objectClass = String(bits.value(at: 36, length: 24))
            let serial = String(bits.value(at: 60, length: 36))
            var tag = EPCTag(
                scheme: scheme, filter: nil, uri: "urn:epc:id:gid:\(manager).\(objectClass).\(serial)",
                tagURI: "urn:epc:tag:gid-96:\(manager).\(objectClass).\(serial)")
            tag.generalManager = manager
            tag.objectClass = objectClass
            tag.serial = serial
            return tag
        }
    }

    /// A 7-bit-per-character string (TDS §14.3.2): ends at the first zero character, after which all bits are zero;
    /// every character must be in GS1 character set 82.
    private mutating func readSerialString(from start: Int, characters: Int) -> String? {
        var text: [UInt8] = []
        for index in 0..<characters {
            let offset = start + 7 * index
            let character = UInt8(bits.value(at: offset, length: 7))
            if character == 0 {
                for rest in (index + 1)..<max(index + 1, characters)
                where bits.value(at: start + 7 * rest, length: 7) != 0 {
                    _ = fail(start + 7 * rest, "serial continues after its terminating zero character")
                    return nil
                }
                break
            }
            guard GS1Characters.isCSET82(character) else {
                _ = fail(
                    offset,
                    "serial character \(index + 1), \(GS1Characters.describe(character)), "
                        + "is not in GS1 character set 82")
                return nil
            }
            text.append(character)
        }
        return GS1Characters.string(text)
    }

    /// Escapes the characters the EPC URI grammar reserves (TDS table A-1): `"` `%` `&` `/` `<` `>` `?`.
    static func uriEscaped(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "/"), UInt8(ascii: "<"),
                UInt8(ascii: ">"), UInt8(ascii: "?"):
                result += "%" + GS1Characters.hex(byte)
            default:
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }
}
