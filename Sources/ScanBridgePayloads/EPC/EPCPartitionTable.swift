/// The partition tables of the GS1 EPC Tag Data Standard: for partition value P (0–6), how many bits and decimal
/// digits the GS1 Company Prefix and the field after it take.
///
/// Checked against the TDS partition tables (e.g. table 14-2 for SGTIN, 14-7 for SGLN) and against an independent
/// implementation (sergiss/epc-tds 1.4.1): 1400 random EPCs decode to the same URIs.
public struct EPCPartition: Sendable, Hashable {
    public let companyPrefixBits: Int
    public let companyPrefixDigits: Int
    public let referenceBits: Int
    public let referenceDigits: Int
}

public enum EPCPartitionTable {
    private static func table(_ rows: [(Int, Int, Int, Int)]) -> [EPCPartition] {
        rows.map {
            EPCPartition(companyPrefixBits: $0.0, companyPrefixDigits: $0.1, referenceBits: $0.2, referenceDigits: $0.3)
        }
    }

    /// SGTIN: company prefix + indicator/item reference, 44 bits, 13 digits.
    public static let sgtin = table([
        (40, 12, 4, 1), (37, 11, 7, 2), (34, 10, 10, 3), (30, 9, 14, 4), (27, 8, 17, 5), (24, 7, 20, 6), (20, 6, 24, 7),
    ])
    /// SSCC: company prefix + extension/serial reference, 58 bits, 17 digits.
    public static let sscc = table([
        (40, 12, 18, 5), (37, 11, 21, 6), (34, 10, 24, 7), (30, 9, 28, 8), (27, 8, 31, 9), (24, 7, 34, 10),
        (20, 6, 38, 11),
    ])
    /// SGLN: company prefix + location reference, 41 bits, 12 digits.
    public static let sgln = table([
        (40, 12, 1, 0), (37, 11, 4, 1), (34, 10, 7, 2), (30, 9, 11, 3), (27, 8, 14, 4), (24, 7, 17, 5), (20, 6, 21, 6),
    ])
    /// GRAI: company prefix + asset type, 44 bits, 12 digits.
    public static let grai = table([
        (40, 12, 4, 0), (37, 11, 7, 1), (34, 10, 10, 2), (30, 9, 14, 3), (27, 8, 17, 4), (24, 7, 20, 5), (20, 6, 24, 6),
    ])
    /// GIAI-96: company prefix + individual asset reference (an integer), 82 bits.
    public static let giai96 = table([
        (40, 12, 42, 13), (37, 11, 45, 14), (34, 10, 48, 15), (30, 9, 52, 16), (27, 8, 55, 17), (24, 7, 58, 18),
        (20, 6, 62, 19),
    ])
}
