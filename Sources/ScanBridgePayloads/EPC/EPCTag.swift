/// The EPC binary encodings this package decodes.
public enum EPCScheme: String, Sendable, Hashable, CaseIterable {
    case sgtin96 = "sgtin-96"
    case sgtin198 = "sgtin-198"
    case sscc96 = "sscc-96"
    case sgln96 = "sgln-96"
    case grai96 = "grai-96"
    case giai96 = "giai-96"
    case gid96 = "gid-96"

    /// The EPC header byte (TDS table 14-1).
    public var header: UInt8 {
        switch self {
        case .sgtin96: return 0x30
        case .sscc96: return 0x31
        case .sgln96: return 0x32
        case .grai96: return 0x33
        case .giai96: return 0x34
        case .gid96: return 0x35
        case .sgtin198: return 0x36
        }
    }

    public var bitLength: Int { self == .sgtin198 ? 198 : 96 }

    public init?(header: UInt8) {
        guard let scheme = Self.allCases.first(where: { $0.header == header }) else { return nil }
        self = scheme
    }

    /// Names of other TDS headers, for the "not an EPC scheme we decode" message.
    static func otherSchemeName(header: UInt8) -> String? {
        switch header {
        case 0x2C: return "gdti-96"
        case 0x2D: return "gsrn-96"
        case 0x2E: return "gsrnp-96"
        case 0x2F: return "usdod-96"
        case 0x37: return "grai-170"
        case 0x38: return "giai-202"
        case 0x39: return "sgln-195"
        case 0x3B: return "adi-var"
        case 0x3C: return "cpi-96"
        case 0x3D: return "cpi-var"
        case 0x3E: return "gdti-174"
        case 0x3F: return "sgcn-96"
        default: return nil
        }
    }
}

/// A decoded EPC: its URIs and the GS1 keys it carries.
public struct EPCTag: Sendable, Hashable {
    public let scheme: EPCScheme
    /// Filter value 0–7 (GID-96 has none).
    public let filter: Int?
    /// Pure identity URI, e.g. `urn:epc:id:sgtin:0614141.812345.6789`.
    public let uri: String
    /// Tag URI, e.g. `urn:epc:tag:sgtin-96:3.0614141.812345.6789`.
    public let tagURI: String
    public var companyPrefix: String?
    /// GTIN-14 with its computed check digit (SGTIN).
    public var gtin: String?
    /// Serial number (SGTIN, GRAI, GID): decimal for the -96 encodings, text for SGTIN-198.
    public var serial: String?
    /// SSCC-18 with its check digit.
    public var sscc: String?
    /// GLN-13 with its check digit (SGLN).
    public var gln: String?
    /// SGLN extension (AI 254 unless it is `0`).
    public var glnExtension: String?
    /// GRAI: company prefix, asset type, check digit and serial (AI 8003 without its leading `0`).
    public var grai: String?
    /// GIAI: company prefix and individual asset reference (AI 8004).
    public var giai: String?
    /// GID-96 general manager number and object class.
    public var generalManager: String?
    public var objectClass: String?
    /// The GS1 element string the EPC corresponds to, in human-readable form, e.g. `(01)80614141123458(21)6789`.
    public var elementString: String?
}

/// The outcome of decoding EPC hex.
public enum EPCDecoding: Sendable, Hashable {
    /// A scheme this package decodes, decoded.
    case tag(EPCTag)
    /// Well-formed input whose header is not one of ours (a TID, another TDS scheme, …). Not an error.
    case notDecoded(header: UInt8, reason: String)
    /// Input that is not a valid EPC of its scheme; the problems say where and why.
    case invalid(scheme: EPCScheme?, problems: [DecodingProblem])

    public var tag: EPCTag? {
        if case .tag(let tag) = self { return tag }
        return nil
    }

    public var problems: [DecodingProblem] {
        if case .invalid(_, let problems) = self { return problems }
        return []
    }
}
