import PropertyBased
import ScanBridgePayloads
import Testing

@Suite struct EM4100Tests {
    @Test func knownFrame() {
        // ID 01 23 45 67 89: XOR = 0x01^0x23^0x45^0x67^0x89 = 0x89.
        let frame = EM4100Frame.frame(id: [0x01, 0x23, 0x45, 0x67, 0x89])
        #expect(frame == [0x02] + Array("012345678989".utf8) + [0x03])
        var decoder = EM4100Decoder()
        #expect(decodeAll(&decoder, frame) == [.tag(TagRead(epc: [0x01, 0x23, 0x45, 0x67, 0x89], frame: frame))])
    }

    @Test func lowercaseHexAccepted() {
        let frame: [UInt8] = [0x02] + Array("0a0b0c0d0e0e".utf8) + [0x03]  // 0a^0b^0c^0d^0e = 0e
        var decoder = EM4100Decoder()
        #expect(decodeAll(&decoder, frame).accepted.map(\.tag?.epc) == [[0x0A, 0x0B, 0x0C, 0x0D, 0x0E]])
        let mixed: [UInt8] = [0x02] + Array("0a0B0c0d0e0e".utf8) + [0x03]
        decoder = EM4100Decoder()
        #expect(decodeAll(&decoder, mixed).accepted.isEmpty)
    }

    @Test func roundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint8().array(of: 5)) { id in
            let frame = EM4100Frame.frame(id: id)
            var decoder = EM4100Decoder()
            #expect(decodeAll(&decoder, frame) == [.tag(TagRead(epc: id, frame: frame))])
        }
    }

    @Test func badChecksumRejected() {
        var frame = EM4100Frame.frame(id: [1, 2, 3, 4, 5])
        frame[12] = frame[12] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        var decoder = EM4100Decoder()
        let out = decodeAll(&decoder, frame)
        #expect(out.accepted.isEmpty && out.rejectedCount == 14 && out.first?.rejected?.reason == .badCRC)
    }

    @Test func partialFrameReleasedAtDeadline() {
        let good = EM4100Frame.frame(id: [9, 8, 7, 6, 5])
        var decoder = EM4100Decoder(interByteTimeoutNanos: 50_000_000)
        var out = decoder.feed([0x02, 0x31, 0x32], now: 10)
        #expect(out.isEmpty && decoder.deadline == 10 + 50_000_000)
        out += decoder.expire(now: 10 + 50_000_000)
        #expect(out.rejectedCount == 3 && decoder.deadline == nil)
        out += decoder.feed(good, now: 100_000_000)
        #expect(out.accepted.map(\.tag?.frame) == [good])
    }

    @Test func megabyteOfSTXIsRejectedInBoundedMemory() {
        var decoder = EM4100Decoder()
        var rejected = 0
        for n in 0..<256 {
            rejected += decoder.feed([UInt8](repeating: 0x02, count: 4096), now: UInt64(n)).rejectedCount
            #expect(decoder.bufferedByteCount <= 14)
        }
        rejected += decoder.finish().rejectedCount
        #expect(rejected == 1 << 20)
    }

    @Test(arguments: 0..<200 as Range<UInt64>)
    func streamProperty(seed: UInt64) {
        let result = checkStreamProperty(
            seed: seed, timeout: 50_000_000, makeDecoder: { EM4100Decoder() },
            makeFrame: { rng in
                let id = rng.bytes(5)
                let frame = EM4100Frame.frame(id: id)
                return StreamItem(bytes: frame, expected: [.tag(TagRead(epc: id, frame: frame))], isFrame: true)
            },
            makeGarbage: { rng in
                var noise = rng.bytes(Int.random(in: 1...20, using: &rng))
                if rng.chance(0.5) { noise += [0x02] + Array("0123".utf8) }  // stray start
                return noise
            })
        #expect(result.ok, "\(result.message)")
    }
}
