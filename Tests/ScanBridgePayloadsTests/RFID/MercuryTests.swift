import PropertyBased
import ScanBridgePayloads
import Testing

@Suite struct MercuryTests {
    /// Published host-command frames: FACTS.md (SparkFun get-version, M5e manual). They are commands: 5 + len bytes,
    /// no status word. The reader-side decoder must parse them; the host-side (response) decoder must not.
    @Test(arguments: [
        ("FF 00 03 1D 0C", UInt8(0x03), [UInt8]()),  // get version
        ("FF 00 04 1D 0B", 0x04, []),  // boot firmware
        ("FF 02 93 00 05 51 7D", 0x93, [0x00, 0x05]),  // set tag protocol: Gen2
        ("FF 02 22 01 F4 E7 76", 0x22, [0x01, 0xF4]),  // read tag ID multiple, timeout 500 ms
    ])
    func publishedCommandFrames(text: String, opcode: UInt8, data: [UInt8]) {
        let frame = hex(text)
        #expect(MercuryFrame.command(opcode: opcode, data: data) == frame)
        var commands = MercuryCommandDecoder()
        let out = commands.feed(frame, now: 1) + commands.finish()
        #expect(out == [.command(HostCommand(command: opcode, address: nil, data: data, frame: frame))])

        var responses = MercuryDecoder()
        let seen = decodeAll(&responses, frame)
        #expect(seen.accepted.isEmpty)
        #expect(seen.rejectedCount == frame.count)
    }

    /// The streamed tag report in SparkFun `parseResponse`'s comment (47 bytes, metadata flags 01FF).
    @Test func sparkFunTagReport() throws {
        let frame = hex(
            """
            FF 28 22 00 00 10 00 1B 01 FF 01 01 C4 11 0E 16
            40 00 00 01 27 00 00 05 00 00 0F 00 80 30 00
            00 00 00 00 00 00 00 00 00 00 15 45 E9 4A 56 1D
            """)
        #expect(frame.count == 47)
        var decoder = MercuryDecoder()
        let out = decodeAll(&decoder, frame)
        let read = try #require(out.first?.tag, "decoded: \(out)")
        #expect(out.count == 1)
        #expect(read.epc == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x15, 0x45])
        #expect(read.rssiDBm == -60)
        #expect(read.antenna == 1)
        #expect(read.readCount == 1)
        #expect(read.frame == frame)
    }

    @Test func keepAliveIsAReply() {
        #expect(MercuryFrame.keepAlive.prefix(5) == [0xFF, 0x00, 0x22, 0x04, 0x00])
        var decoder = MercuryDecoder()
        let out = decodeAll(&decoder, MercuryFrame.keepAlive)
        #expect(out == [.reply(ReaderReply(command: 0x22, status: 0x0400, data: [], frame: MercuryFrame.keepAlive))])
    }

    @Test func startAndStopFrames() {
        #expect(
            MercuryFrame.startContinuousReading.prefix(3) == [0xFF, 0x10, 0x2F]
                && MercuryFrame.startContinuousReading.count == 16 + 5)
        #expect(MercuryFrame.stopContinuousReading.prefix(6) == [0xFF, 0x03, 0x2F, 0x00, 0x00, 0x02])
        var commands = MercuryCommandDecoder()
        let out = commands.feed(MercuryFrame.startContinuousReading + MercuryFrame.stopContinuousReading, now: 1)
        #expect(out.count == 2)
        if case .command(let start) = out.first {
            #expect(start.command == 0x2F)
            #expect(start.data.suffix(2) == [0x01, 0xFF])
        } else {
            Issue.record("no start command: \(out)")
        }
    }

    @Test func simulatorFeedReturnsCommands() {
        var commands = MercuryCommandDecoder()
        let out = commands.feed([0x00, 0x42] + MercuryFrame.stopContinuousReading + hex("FF 00 03 1D 0C"))
        #expect(out.map(\.opcode) == [0x2F, 0x03])
        #expect(out.first?.data == [0x00, 0x00, 0x02])
        #expect(commands.rejectedByteCount == 2)
    }

    @Test func tagReportRoundTrip() async {
        await propertyCheck(
            count: 200, input: Gen.uint8().array(of: 1...62), Gen.int(in: 1...16), Gen.int(in: -128...127),
            Gen.int(in: 1...255)
        ) { epc, antenna, rssi, count in
            let read = TagRead(epc: epc, antenna: antenna, rssiDBm: rssi, readCount: count)
            let frame = MercuryFrame.tagReport(read)
            var decoder = MercuryDecoder()
            var expected = read
            expected.frame = frame
            #expect(decodeAll(&decoder, frame) == [.tag(expected)])
        }
    }

    @Test func responseRoundTrip() async {
        await propertyCheck(
            count: 200, input: Gen.element(of: [UInt8(0x03), 0x2F, 0x62, 0x93, 0x97, 0x9A]).map { $0! },
            Gen.element(of: [UInt16(0x0000), 0x0105, 0x0400, 0x7F00]).map { $0! }, Gen.uint8().array(of: 0...255)
        ) { opcode, status, data in
            let frame = MercuryFrame.response(opcode: opcode, status: status, data: data)
            var decoder = MercuryDecoder()
            #expect(
                decodeAll(&decoder, frame) == [
                    .reply(ReaderReply(command: opcode, status: status, data: data, frame: frame))
                ])
        }
    }

    @Test func commandRoundTrip() async {
        await propertyCheck(
            count: 200, input: Gen.element(of: [UInt8(0x03), 0x22, 0x2F, 0x93, 0x9B]).map { $0! },
            Gen.uint8().array(of: 0...255)
        ) { opcode, data in
            let frame = MercuryFrame.command(opcode: opcode, data: data)
            var decoder = MercuryCommandDecoder()
            let out = decoder.feed(frame, now: 1) + decoder.finish()
            #expect(out == [.command(HostCommand(command: opcode, address: nil, data: data, frame: frame))])
        }
    }

    @Test func tagReportWithEmptyOrFailedStatusIsAReply() {
        var good = MercuryFrame.tagReport(TagRead(epc: [1, 2, 3, 4], antenna: 2, rssiDBm: -50, readCount: 3))
        // Same data with a non-zero status: a reply, not a tag.
        let data = Array(good[5..<good.count - 2])
        good = MercuryFrame.response(opcode: 0x22, status: 0x0400, data: data)
        var decoder = MercuryDecoder()
        let out = decodeAll(&decoder, good)
        #expect(out.count == 1 && out[0].reply?.status == 0x0400)
    }

    @Test func reportWithoutTagIsAReply() {
        let data: [UInt8] = [0x10, 0x00, 0x1B, 0x01, 0xFF, 0x00]  // metadata option, flags 01FF, tag count 0
        let frame = MercuryFrame.response(opcode: 0x22, status: 0, data: data)
        var decoder = MercuryDecoder()
        #expect(decodeAll(&decoder, frame) == [.reply(ReaderReply(command: 0x22, status: 0, data: data, frame: frame))])
    }

    @Test func inconsistentTagReportIsRejectedAndRescanned() {
        let read = TagRead(epc: [9, 9, 9, 9], antenna: 1, rssiDBm: -40, readCount: 1)
        var data = Array(MercuryFrame.tagReport(read).dropFirst(5).dropLast(2))
        data[data.count - 12] ^= 0x01  // EPC bit length no longer fills the frame
        let bad = MercuryFrame.response(opcode: 0x22, status: 0, data: data)
        let good = MercuryFrame.tagReport(read)
        var decoder = MercuryDecoder()
        let out = decodeAll(&decoder, bad + good)
        #expect(out.accepted.count == 1 && out.accepted[0].tag?.frame == good)
        #expect(out.rejectedCount == bad.count)
        #expect(out.first?.rejected?.reason == .malformed)
    }

    @Test func goodFrameInsideFalseFrameIsFound() {
        let good = MercuryFrame.tagReport(TagRead(epc: [0xE2, 0x00, 0x11, 0x22], antenna: 1, rssiDBm: -61))
        // FF 40 22 00 00 announces a 71-byte frame that swallows the good one; its CRC fails, the scan resumes.
        let falseStart: [UInt8] = [0xFF, 0x40, 0x22, 0x00, 0x00]
        var decoder = MercuryDecoder()
        var out = decoder.feed(falseStart + good + [UInt8](repeating: 0x00, count: 80), now: 1)
        out += decoder.finish()
        #expect(out.accepted.map(\.tag?.frame) == [good])
        #expect(out.rejectedCount == falseStart.count + 80)
    }

    @Test func strayFFFFDoesNotHoldAGoodFrame() {
        let good = MercuryFrame.tagReport(TagRead(epc: [1, 2, 3, 4, 5, 6], antenna: 1, rssiDBm: -70))
        var decoder = MercuryDecoder()
        // FF FF: the opcode/status checks give the false start up at once, so nothing waits for the deadline.
        let out = decoder.feed([0xFF, 0xFF] + good, now: 1_000)
        #expect(out.accepted.map(\.tag?.frame) == [good])
        #expect(out.rejectedCount == 2)
        #expect(decoder.deadline == nil)
    }

    @Test func falseStartReleasedAtDeadline() {
        let good = MercuryFrame.tagReport(TagRead(epc: [1, 2, 3, 4, 5, 6], antenna: 1, rssiDBm: -70))
        var decoder = MercuryDecoder(interByteTimeoutNanos: 50_000_000)
        // A plausible header announcing 255 data bytes holds the good frame behind it until the line goes quiet.
        let falseStart: [UInt8] = [0xFF, 0xFF, 0x22, 0x00, 0x00]
        var out = decoder.feed(falseStart + good, now: 1_000)
        #expect(out.accepted.isEmpty)
        let deadline = decoder.deadline
        #expect(deadline == 1_000 + 50_000_000)
        #expect(decoder.expire(now: 1_000 + 49_999_999).isEmpty)
        out += decoder.expire(now: deadline!)
        #expect(out.accepted.map(\.tag?.frame) == [good])
        #expect(out.rejectedCount == falseStart.count)
        #expect(out.first?.rejected?.reason == .incomplete)
        #expect(decoder.deadline == nil && decoder.bufferedByteCount == 0)
    }

    /// Bytes handed over late (the caller was busy committing) arrived in time as far as anyone
    /// knows: only `expire()`, called for a line that was really quiet, gives up a false start.
    @Test func lateStampedBytesAreContiguousUntilExpire() {
        let good = MercuryFrame.tagReport(TagRead(epc: [7, 7, 7, 7], antenna: 2, rssiDBm: -70))
        var decoder = MercuryDecoder(interByteTimeoutNanos: 50_000_000)
        var out = decoder.feed([0xFF, 0xFF, 0x22, 0x00, 0x00], now: 0)
        out += decoder.feed(good, now: 60_000_000)
        #expect(out.accepted.isEmpty, "held behind the false start until the line is quiet")
        #expect(decoder.deadline == 110_000_000)
        out += decoder.expire(now: 110_000_000)
        #expect(out.accepted.map(\.tag?.frame) == [good])
        #expect(out.rejectedCount == 5)
    }

    @Test func megabyteOfFFIsRejectedInBoundedMemory() {
        var decoder = MercuryDecoder()
        var rejected = 0
        let chunk = [UInt8](repeating: 0xFF, count: 4096)
        for n in 0..<256 {
            rejected += decoder.feed(chunk, now: UInt64(n)).rejectedCount
            #expect(decoder.bufferedByteCount <= 262 * 2)
        }
        rejected += decoder.finish().rejectedCount
        #expect(rejected == 1 << 20)
        #expect(decoder.acceptedByteCount == 0)
    }

    @Test(arguments: 0..<400 as Range<UInt64>)
    func streamProperty(seed: UInt64) {
        let opcodes: [UInt8] = [0x03, 0x2F, 0x62, 0x93, 0x9A]
        let result = checkStreamProperty(
            seed: seed, timeout: 50_000_000, makeDecoder: { MercuryDecoder() },
            makeFrame: { rng in
                switch Int.random(in: 0..<10, using: &rng) {
                case 0:
                    let frame = MercuryFrame.keepAlive
                    return StreamItem(
                        bytes: frame,
                        expected: [.reply(ReaderReply(command: 0x22, status: 0x0400, data: [], frame: frame))],
                        isFrame: true)
                case 1:
                    let opcode = opcodes.randomElement(using: &rng)!
                    let data = rng.bytes(Int.random(in: 0...20, using: &rng))
                    let frame = MercuryFrame.response(opcode: opcode, status: 0, data: data)
                    return StreamItem(
                        bytes: frame,
                        expected: [.reply(ReaderReply(command: opcode, status: 0, data: data, frame: frame))],
                        isFrame: true)
                default:
                    var read = TagRead(
                        epc: rng.bytes(Int.random(in: 2...62, using: &rng)),
                        antenna: Int.random(in: 1...4, using: &rng),
                        rssiDBm: Int.random(in: -95 ... -20, using: &rng),
                        readCount: Int.random(in: 1...20, using: &rng))
                    let frame = MercuryFrame.tagReport(read)
                    read.frame = frame
                    return StreamItem(bytes: frame, expected: [.tag(read)], isFrame: true)
                }
            },
            makeGarbage: { rng in
                // Noise rich in false starts: FF followed by plausible opcodes and lengths.
                var noise = rng.bytes(Int.random(in: 1...40, using: &rng))
                for i in noise.indices where rng.chance(0.2) { noise[i] = 0xFF }
                if rng.chance(0.3) { noise += [0xFF, UInt8.random(in: 0...255, using: &rng), 0x22, 0x00, 0x00] }
                return noise
            })
        #expect(result.ok, "\(result.message)")
    }
}
