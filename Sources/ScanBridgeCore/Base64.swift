/// Base64 (RFC 4648 §4) and base64url without padding (§5), as JWS requires.
public enum Base64 {
    private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: encode(bytes, alphabet: standard, pad: true), as: UTF8.self)
    }

    public static func urlEncode(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: encode(bytes, alphabet: url, pad: false), as: UTF8.self)
    }

    /// `prefix` followed by base64url(`bytes`) in one buffer: a JWS signing input (header "."
    /// payload) without the three copies a String would make of a batch body.
    public static func urlEncoded(_ bytes: [UInt8], after prefix: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { encode($0, alphabet: url, pad: false, prefix: prefix) }
    }

    /// Accepts both alphabets, with or without padding; `nil` on anything else.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var sawPadding = false
        for c in text.utf8 {
            let value: UInt32
            switch c {
            case 0x41...0x5A: value = UInt32(c - 0x41)
            case 0x61...0x7A: value = UInt32(c - 0x61 + 26)
            case 0x30...0x39: value = UInt32(c - 0x30 + 52)
            case 0x2B, 0x2D: value = 62
            case 0x2F, 0x5F: value = 63
            case 0x3D:
                sawPadding = true
                continue
            default: return nil
            }
            if sawPadding { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        if bits >= 6 { return nil }
        return out
    }

    /// Contiguous input (arrays, the usual case: every batch body is signed and verified
    /// through here) goes through a buffer pointer; the generic iterator path cost more than
    /// the Ed25519 signature itself on large bodies.
    private static func encode(_ bytes: some Collection<UInt8>, alphabet: [UInt8], pad: Bool) -> [UInt8] {
        if let encoded = bytes.withContiguousStorageIfAvailable({ encode($0, alphabet: alphabet, pad: pad) }) {
            return encoded
        }
        return Array(bytes).withUnsafeBufferPointer { encode($0, alphabet: alphabet, pad: pad) }
    }

    private static func encode(
        _ input: UnsafeBufferPointer<UInt8>, alphabet: [UInt8], pad: Bool, prefix: [UInt8] = []
    ) -> [UInt8] {
        let whole = input.count / 3
        let rest = input.count % 3
        let length = prefix.count + whole * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1)
        return alphabet.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
                var o = 0
                for byte in prefix {
                    out[o] = byte
                    o += 1
                }
                var i = 0
                for _ in 0..<whole {
                    let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                    out[o] = table[Int(n >> 18 & 63)]
                    out[o + 1] = table[Int(n >> 12 & 63)]
                    out[o + 2] = table[Int(n >> 6 & 63)]
                    out[o + 3] = table[Int(n & 63)]
                    i += 3
                    o += 4
                }
                if rest > 0 {
                    let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                    out[o] = table[Int(n >> 18 & 63)]
                    out[o + 1] = table[Int(n >> 12 & 63)]
                    o += 2
                    if rest == 2 {
                        out[o] = table[Int(n >> 6 & 63)]
                        o += 1
                    } else if pad {
                        out[o] = 0x3D
                        o += 1
                    }
                    if pad {
                        out[o] = 0x3D
                        o += 1
                    }
                }
                initialized = o
            }
        }
    }
}
