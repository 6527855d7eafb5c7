/// Decoder for readers that print one tag per text line, configured with a regular expression.
///
/// Lines end at CR, LF or CRLF; empty lines are ignored; a line longer than `maxLineBytes` is rejected (oversize)
/// and counted without being buffered whole; a line the pattern does not match is rejected (malformed); a partial
/// line left after the inter-byte gap, or at `finish()`, is rejected (incomplete).
public struct ReaderLineDecoder: ReaderFrameDecoder {
    public enum PatternError: Error, Equatable, CustomStringConvertible {
        case invalid(pattern: String, reason: String)
        case missingEPCCapture(pattern: String)
        case invalidMaxLineBytes(Int)

        public var description: String {
            switch self {
            case .invalid(let pattern, let reason): "invalid reader line pattern \(pattern): \(reason)"
            case .missingEPCCapture(let pattern): "reader line pattern \(pattern) has no named capture `epc`"
            case .invalidMaxLineBytes(let value): "maxLineBytes must be at least 1, got \(value)"
            }
        }
    }

    private let regex: LinePattern
    private let maxLineBytes: Int
    private let timeout: UInt64
    private var line: [UInt8] = []
    private var oversize: RejectRun?
    private var lastByteTime: UInt64 = 0
    /// Bytes consumed without rejection: matched lines and line terminators.
    public private(set) var acceptedByteCount = 0

    /// `pattern`: a regular expression (Swift Regex syntax) matched against the whole line, with named captures
    /// `epc` (hex, required), optional `antenna` (decimal), `rssi` (decimal, may be negative → rssiRaw), `count`
    /// (decimal → readCount). Throws `PatternError` for an invalid pattern or one without an `epc` capture.
    public init(pattern: String, maxLineBytes: Int = 512, interByteTimeoutNanos: UInt64 = 1_000_000_000) throws {
        guard maxLineBytes >= 1 else { throw PatternError.invalidMaxLineBytes(maxLineBytes) }
        let compiled: Regex<AnyRegexOutput>
        do {
            compiled = try Regex(pattern)
        } catch {
            throw PatternError.invalid(pattern: pattern, reason: "\(error)")
        }
        guard compiled.contains(captureNamed: "epc") else { throw PatternError.missingEPCCapture(pattern: pattern) }
        regex = LinePattern(regex: compiled)
        self.maxLineBytes = maxLineBytes
        timeout = interByteTimeoutNanos
    }

    public var bufferedByteCount: Int { line.count }

    public var deadline: UInt64? {
        guard !line.isEmpty || oversize != nil else { return nil }
        let (sum, overflow) = lastByteTime.addingReportingOverflow(timeout)
        return overflow ? UInt64.max : sum
    }

    public mutating func feed(_ bytes: [UInt8], now: UInt64) -> [ReaderOutput] {
        var out: [ReaderOutput] = []
        if let due = deadline, now >= due { out += finish() }
        if !bytes.isEmpty { lastByteTime = now }
        for byte in bytes {
            if byte == 0x0D || byte == 0x0A {
                acceptedByteCount += 1
                endLine(into: &out)
            } else if var run = oversize {
                run.add(byte, .oversize)
                oversize = run
            } else if line.count == maxLineBytes {
                var run = RejectRun(reason: .oversize)
                for held in line { run.add(held, .oversize) }
                run.add(byte, .oversize)
                oversize = run
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        return out
    }

    public mutating func expire(now: UInt64) -> [ReaderOutput] {
        guard let due = deadline, now >= due else { return [] }
        return finish()
    }

    public mutating func finish() -> [ReaderOutput] {
        var out: [ReaderOutput] = []
        if let run = oversize {
            out.append(.rejected(run.value))
            oversize = nil
        }
        if !line.isEmpty {
            out.append(.rejected(RejectedBytes(reason: .incomplete, count: line.count, sample: sample(line))))
            line.removeAll(keepingCapacity: true)
        }
        return out
    }

    private mutating func endLine(into out: inout [ReaderOutput]) {
        if let run = oversize {
            out.append(.rejected(run.value))
            oversize = nil
            return
        }
        guard !line.isEmpty else { return }
        defer { line.removeAll(keepingCapacity: true) }
        if let read = parse(line) {
            acceptedByteCount += line.count
            out.append(.tag(read))
        } else {
            out.append(.rejected(RejectedBytes(reason: .malformed, count: line.count, sample: sample(line))))
        }
    }

    private func sample(_ bytes: [UInt8]) -> [UInt8] { Array(bytes.prefix(RejectedBytes.sampleLimit)) }

    private func parse(_ bytes: [UInt8]) -> TagRead? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let match = try? regex.regex.wholeMatch(in: text) else { return nil }
        let output = match.output
        guard let epcText = output["epc"]?.substring, let epc = ASCIIHex.bytes(epcText), !epc.isEmpty else {
            return nil
        }
        var read = TagRead(epc: epc, frame: bytes)
        if let field = output["antenna"]?.substring {
            guard let value = Int(field) else { return nil }
            read.antenna = value
        }
        if let field = output["rssi"]?.substring {
            guard let value = Int(field) else { return nil }
            read.rssiRaw = value
        }
        if let field = output["count"]?.substring {
            guard let value = Int(field), value >= 0 else { return nil }
            read.readCount = value
        }
        return read
    }
}

/// Holds the compiled pattern so the decoder can be `Sendable`.
///
/// `Regex` is an immutable value whose compiled program is built once and never mutated afterwards; it is not
/// declared `Sendable` only because its `AnyRegexOutput` output type is not. Matches produce fresh outputs, so no
/// mutable state is shared between decoder copies.
struct LinePattern: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
}
