import ScanBridgeAgent
import ScanBridgeCore
import ScanBridgePayloads

/// The tags a simulated reader sees: valid SGTIN-96 EPCs from a seed (so every observation
/// decodes to a URI), EM4100 ids, or EPCs an operator lists in a file.
public struct TagPopulation: Sendable {
    public let tags: [[UInt8]]

    public init(tags: [[UInt8]]) {
        precondition(!tags.isEmpty, "a tag population needs at least one tag")
        self.tags = tags
    }

    /// `count` distinct SGTIN-96 EPCs (company prefix 7 digits, partition 5, filter 1).
    public static func sgtin96(count: Int, seed: UInt64) -> TagPopulation {
        var random = SplitMix64(seed: seed)
        var seen: Set<[UInt8]> = []
        var tags: [[UInt8]] = []
        while tags.count < count {
            let company = UInt64.random(in: 100_000...9_999_999, using: &random)
            let item = UInt64.random(in: 0...999_999, using: &random)
            let serial = UInt64.random(in: 1...(1 << 38) - 1, using: &random)
            var bits = BitWriter()
            bits.append(0x30, width: 8)
            bits.append(1, width: 3)
            bits.append(5, width: 3)
            bits.append(company, width: 24)
            bits.append(item, width: 20)
            bits.append(serial, width: 38)
            if seen.insert(bits.bytes).inserted { tags.append(bits.bytes) }
        }
        return TagPopulation(tags: tags)
    }

    /// `count` distinct 5-byte EM4100 ids.
    public static func em4100(count: Int, seed: UInt64) -> TagPopulation {
        var random = SplitMix64(seed: seed)
        var seen: Set<[UInt8]> = []
        var tags: [[UInt8]] = []
        while tags.count < count {
            let id = (0..<5).map { _ in UInt8.random(in: 0...255, using: &random) }
            if seen.insert(id).inserted { tags.append(id) }
        }
        return TagPopulation(tags: tags)
    }

    /// One EPC in hex per line; blank lines and `#` comments skipped.
    public static func parse(hexLines text: String) throws(SimulationError) -> TagPopulation {
        var tags: [[UInt8]] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: " \t\r")
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let bytes = Hex.decode(trimmed), !bytes.isEmpty, bytes.count <= 62 else {
                throw SimulationError("line \(number + 1): expected an EPC in hex (1–62 bytes), got \"\(trimmed)\"")
            }
            tags.append(bytes)
        }
        guard !tags.isEmpty else { throw SimulationError("no EPCs in the file") }
        return TagPopulation(tags: tags)
    }
}

/// A simulator misconfigured: said in the terms of the option that caused it.
public struct SimulationError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var used = 0

    mutating func append(_ value: UInt64, width: Int) {
        for shift in stride(from: width - 1, through: 0, by: -1) {
            if used % 8 == 0 { bytes.append(0) }
            if (value >> UInt64(shift)) & 1 == 1 { bytes[bytes.count - 1] |= 0x80 >> UInt8(used % 8) }
            used += 1
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
