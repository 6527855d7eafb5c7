import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgePayloads

/// Generates the GS1-128 scans a workshop produces: GTIN, net weight or length, expiry, lot.
public struct BarcodeSimulator: Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// One scan as a GS1-128 scanner with AIM prefix sends it (`]C1`, GS between fields).
    public mutating func nextScan() -> String {
        let gs = "\u{1D}"
        let gtin = Self.withCheckDigit("0" + digits(12))
        let lot = "L" + digits(4)
        let expiry =
            "2\(Int.random(in: 6...9, using: &generator))\(String(format2: Int.random(in: 1...12, using: &generator)))00"
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            return "]C1" + "01" + gtin + "3103" + digits(6) + "17" + expiry + "10" + lot
        case 1:
            return "]C1" + "01" + gtin + "3112" + digits(6) + "10" + lot + gs + "21" + digits(6)
        default:
            return "]C1" + "01" + gtin + "10" + lot + gs + "30" + String(Int.random(in: 1...250, using: &generator))
        }
    }

    private mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    /// GS1 mod-10 check digit appended to the given digits.
    public static func withCheckDigit(_ body: String) -> String {
        GS1CheckDigit.appending(to: body)
    }
}

extension String {
    fileprivate init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
