import ScanBridgePayloads
import Testing

@Suite struct ReaderLineDecoderTests {
    static let pattern = #"^(?<epc>[0-9A-Fa-f]{24}),(?<antenna>\d+),(?<rssi>-?\d+)$"#

    @Test func crlfAndLF() throws {
        var decoder = try ReaderLineDecoder(pattern: Self.pattern)
        let first = Array("E28011700000020A1B2C3D4E,1,-61".utf8)
        let second = Array("300833B2DDD9014000000000,4,72".utf8)
        let out = decodeAll(&decoder, first + [0x0D, 0x0A] + second + [0x0A] + [0x0D, 0x0A])
        #expect(
            out == [
                .tag(
                    TagRead(
                        epc: [0xE2, 0x80, 0x11, 0x70, 0, 0, 0x02, 0x0A, 0x1B, 0x2C, 0x3D, 0x4E], antenna: 1,
                        rssiRaw: -61, frame: first)),
                .tag(
                    TagRead(
                        epc: [0x30, 0x08, 0x33, 0xB2, 0xDD, 0xD9, 0x01, 0x40, 0, 0, 0, 0], antenna: 4, rssiRaw: 72,
                        frame: second)),
            ])
    }

    @Test func crOnlyAndCountCapture() throws {
        var decoder = try ReaderLineDecoder(pattern: #"EPC:(?<epc>[0-9A-F]+) N=(?<count>\d+)"#)
        let out = decodeAll(&decoder, Array("EPC:0102 N=7\rEPC:0304 N=1\r".utf8))
        #expect(out.map(\.tag?.readCount) == [7, 1])
        #expect(out.map(\.tag?.epc) == [[1, 2], [3, 4]])
    }

    @Test func nonMatchingLineIsMalformed() throws {
        var decoder = try ReaderLineDecoder(pattern: Self.pattern)
        let out = decodeAll(&decoder, Array("hello reader\nE28011700000020A1B2C3D4E,x,1\n".utf8))
        #expect(out.map(\.rejected?.reason) == [.malformed, .malformed])
        #expect(out.rejectedCount == 12 + 28)
    }

    @Test func oversizeLineIsRejectedWithoutBufferingIt() throws {
        var decoder = try ReaderLineDecoder(pattern: Self.pattern, maxLineBytes: 512)
        var out: [ReaderOutput] = []
        for n in 0..<100 {
            out += decoder.feed([UInt8](repeating: UInt8(ascii: "A"), count: 1024), now: UInt64(n))
            #expect(decoder.bufferedByteCount <= 512)
        }
        let good = Array("E28011700000020A1B2C3D4E,2,-50".utf8)
        out += decoder.feed([0x0A] + good + [0x0A], now: 200)
        out += decoder.finish()
        #expect(
            out.compactMap(\.rejected) == [
                RejectedBytes(reason: .oversize, count: 102_400, sample: [UInt8](repeating: 0x41, count: 256))
            ])
        #expect(out.accepted.map(\.tag?.frame) == [good])
    }

    @Test func partialLineReleasedAtDeadline() throws {
        var decoder = try ReaderLineDecoder(pattern: Self.pattern, interByteTimeoutNanos: 1_000_000_000)
        var out = decoder.feed(Array("E2801170".utf8), now: 5)
        #expect(decoder.deadline == 1_000_000_005)
        out += decoder.expire(now: 1_000_000_005)
        #expect(out == [.rejected(RejectedBytes(reason: .incomplete, count: 8, sample: Array("E2801170".utf8)))])
        #expect(decoder.deadline == nil)
    }

    @Test func invalidPatternThrows() {
        #expect(throws: ReaderLineDecoder.PatternError.self) { try ReaderLineDecoder(pattern: "(?<epc>[0-9") }
        #expect(throws: ReaderLineDecoder.PatternError.missingEPCCapture(pattern: #"^(?<id>[0-9A-F]+)$"#)) {
            try ReaderLineDecoder(pattern: #"^(?<id>[0-9A-F]+)$"#)
        }
    }

    @Test(arguments: 0..<100 as Range<UInt64>)
    func streamProperty(seed: UInt64) throws {
        let result = checkStreamProperty(
            seed: seed, timeout: 1_000_000_000,
            makeDecoder: { try! ReaderLineDecoder(pattern: Self.pattern) },
            makeFrame: { rng in
                let epc = rng.bytes(12)
                let antenna = Int.random(in: 1...4, using: &rng)
                let rssi = Int.random(in: -90...90, using: &rng)
                let text =
                    epc.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
                    .joined() + ",\(antenna),\(rssi)"
                let line = Array(text.utf8)
                let terminator: [UInt8] = rng.chance(0.5) ? [0x0D, 0x0A] : [0x0A]
                return StreamItem(
                    bytes: line + terminator,
                    expected: [.tag(TagRead(epc: epc, antenna: antenna, rssiRaw: rssi, frame: line))], isFrame: true)
            },
            makeGarbage: { rng in
                // A noise line (no CR/LF inside) with its own terminator.
                (0..<Int.random(in: 1...40, using: &rng)).map { _ in UInt8.random(in: 0x20...0x7E, using: &rng) } + [
                    0x0A
                ]
            },
            // Text lines carry no checksum: a flipped byte can still be a well-formed line, so no flips here.
            flipRate: 0)
        #expect(result.ok, "\(result.message)")
    }
}
