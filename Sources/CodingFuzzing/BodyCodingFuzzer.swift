import ScanBridgeWire

/// What the receiver's body decompressor must hold for any bytes a client sends: never crash,
/// never hand back more than the limit, and whatever it accepts survives a round trip.
public enum BodyCodingFuzzer {
    static let limit = 64 * 1024

    /// The first byte picks the coding and where the input is cut in two chunks; the rest is
    /// the body.
    public static func check(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let coding: ContentCoding = input[0] & 1 == 0 ? .gzip : .zstd
        let body = Array(input.dropFirst(2))
        let cut = body.isEmpty ? 0 : Int(input[1]) % body.count
        let decompressor = BodyDecompressor(coding: coding, limit: limit)
        do {
            try decompressor.append(Array(body[..<cut]))
            try decompressor.append(Array(body[cut...]))
            let inflated = try decompressor.finish()
            precondition(inflated.count <= limit, "inflated past the limit: \(inflated.count)")
            let again = BodyDecompressor(coding: coding, limit: limit)
            try again.append(try coding.compress(inflated))
            let roundTrip = try again.finish()
            precondition(roundTrip == inflated, "a \(coding) round trip changed the body")
        } catch {
            // Refused, as it should be for most inputs; the refusal must stick.
            precondition((try? decompressor.finish()) == nil, "finish() succeeded after a refusal")
        }
    }
}
