import PropertyBased
import ScanBridgePayloads
import Testing

@Suite struct ChafonTests {
    /// Host commands from public sources: UHFReader18 inventory `04 00 01 DB 4B`; the Go Chafon client's
    /// `cmdModeRealTimeInventory` / `CmdModeAnswer` (set work mode 0x76) and answer-mode inventory with parameters.
    @Test(arguments: [
        ("04 00 01 DB 4B", UInt8(0x01), [UInt8]()),
        ("05 00 76 01 EB D8", 0x76, [0x01]),
        ("05 00 76 00 62 C9", 0x76, [0x00]),
        ("09 00 01 04 FE 00 80 32 80 BE", 0x01, [0x04, 0xFE, 0x00, 0x80, 0x32]),
    ])
    func publishedCommandFrames(text: String, command: UInt8, data: [UInt8]) {
        let frame = hex(text)
        #expect(ChafonFrame.command(address: 0x00, command: command, data: data) == frame)
        var decoder = ChafonCommandDecoder()
        let out = decoder.feed(frame, now: 1) + decoder.finish()
        #expect(out == [.command(HostCommand(command: command, address: 0x00, data: data, frame: frame))])
    }

    /// UHFReader18 answers from wabson/chafon-rfid `tests/test_uhfreader18.py`.
    @Test func uhfReader18Answers() {
        let one = hex("13000103010c0000000000000000000003133f39")
        var decoder = ChafonDecoder()
        var out = decodeAll(&decoder, one)
        #expect(out == [.tag(TagRead(epc: hex("000000000000000000000313"), frame: one))])
        #expect(ChafonFrame.inventoryAnswer(address: 0, epcs: [hex("000000000000000000000313")], status: 0x03) == one)

        let two = hex("20000103020c0000000000000000000003130c0000000000000000000003149ac9")
        decoder = ChafonDecoder()
        out = decodeAll(&decoder, two)
        #expect(
            out == [
                .tag(TagRead(epc: hex("000000000000000000000313"), frame: two)),
                .tag(TagRead(epc: hex("000000000000000000000314"), frame: two)),
            ])
    }

    /// UHFReader288 answer-mode frames from wabson/chafon-rfid `tests/test_uhfreader288.py` (antenna mask + RSSI).
    @Test func uhfReader288Answers() {
        var decoder = ChafonDecoder()
        let ant1 = hex("1500010301010c0000000000000000000003136bb1a5")
        let ant3 = hex("1500010304010c49440000000000000a0003346425c0")
        let short = hex("0d000103010104003230386da3d2")
        let none = hex("0700010101001e4b")
        let out = decodeAll(&decoder, ant1 + ant3 + short + none)
        #expect(
            out == [
                .tag(TagRead(epc: hex("000000000000000000000313"), antenna: 1, rssiRaw: 0x6B, frame: ant1)),
                .tag(TagRead(epc: hex("49440000000000000a000334"), antenna: 3, rssiRaw: 0x64, frame: ant3)),
                .tag(TagRead(epc: hex("00323038"), antenna: 1, rssiRaw: 0x6D, frame: short)),
                .reply(ReaderReply(command: 0x01, status: 0x01, data: [0x01, 0x00], frame: none)),
            ])
    }

    @Test func realTimeRoundTrip() async {
        await propertyCheck(
            count: 200, input: Gen.uint8().array(of: 1...62), Gen.int(in: 1...8), Gen.uint8(), Gen.uint8()
        ) { epc, antenna, rssi, address in
            let frame = ChafonFrame.realTimeTag(address: address, antenna: antenna, epc: epc, rssi: rssi)
            #expect(frame[2] == 0xEE && frame[4] == UInt8(1) << UInt8(antenna - 1))
            var decoder = ChafonDecoder()
            #expect(
                decodeAll(&decoder, frame) == [
                    .tag(TagRead(epc: epc, antenna: antenna, rssiRaw: Int(rssi), frame: frame))
                ])
        }
    }

    @Test func inventoryRoundTrip() async {
        await propertyCheck(
            count: 200, input: Gen.uint8().array(of: 1...30).array(of: 1...6), Gen.int(in: 1...4), Gen.uint8()
        ) { epcs, status, address in
            let frame = ChafonFrame.inventoryAnswer(address: address, epcs: epcs, status: UInt8(status))
            var decoder = ChafonDecoder()
            #expect(decodeAll(&decoder, frame) == epcs.map { .tag(TagRead(epc: $0, frame: frame)) })
        }
    }

    @Test func replyRoundTrip() {
        let info = ChafonFrame.response(
            address: 0x00, command: 0x21, status: 0x00, data: [0x03, 0x01, 0x09, 0x03, 0x4E, 0x00, 0x1E, 0x0A])
        let setAddress = ChafonFrame.response(address: 0x00, command: 0x24, status: 0x00, data: [])
        let emptyInventory = ChafonFrame.inventoryAnswer(address: 0x00, epcs: [])
        var decoder = ChafonDecoder()
        let out = decodeAll(&decoder, info + setAddress + emptyInventory)
        #expect(
            out == [
                .reply(ReaderReply(command: 0x21, status: 0, data: Array(info[4..<12]), frame: info)),
                .reply(ReaderReply(command: 0x24, status: 0, data: [], frame: setAddress)),
                .reply(ReaderReply(command: 0x01, status: 1, data: [0x00], frame: emptyInventory)),
            ])
    }

    @Test func commandRoundTrip() async {
        await propertyCheck(
            count: 200, input: Gen.element(of: [UInt8(0x01), 0x21, 0x24, 0x2F, 0x76]).map { $0! }, Gen.uint8(),
            Gen.uint8().array(of: 0...40)
        ) { command, address, data in
            let frame = ChafonFrame.command(address: address, command: command, data: data)
            var decoder = ChafonCommandDecoder()
            let out = decoder.feed(frame, now: 1) + decoder.finish()
            #expect(out == [.command(HostCommand(command: command, address: address, data: data, frame: frame))])
        }
    }

    @Test func simulatorFeedReturnsCommands() {
        var commands = ChafonCommandDecoder()
        let out = commands.feed(hex("04 00 01 DB 4B") + [0x01] + hex("05 00 76 01 EB D8"))
        #expect(out.map(\.command) == [0x01, 0x76])
        #expect(out.last?.data == [0x01])
        #expect(commands.rejectedByteCount == 1)
    }

    @Test func addressFilter() {
        let mine = ChafonFrame.realTimeTag(address: 0x05, antenna: 1, epc: [1, 2, 3, 4], rssi: 0x50)
        let other = ChafonFrame.realTimeTag(address: 0x06, antenna: 1, epc: [1, 2, 3, 4], rssi: 0x50)
        let broadcast = ChafonFrame.realTimeTag(address: 0xFF, antenna: 2, epc: [1, 2, 3, 4], rssi: 0x50)
        var decoder = ChafonDecoder(address: 0x05)
        let out = decodeAll(&decoder, mine + other + broadcast)
        #expect(out.accepted.map(\.tag?.frame) == [mine, broadcast])
        #expect(out.rejectedCount == other.count)
    }

    @Test func strayLengthByteReleasedAtDeadline() {
        let good = ChafonFrame.realTimeTag(address: 0x00, antenna: 3, epc: [0xE2, 0x80, 0x11, 0x70], rssi: 0x44)
        var decoder = ChafonDecoder(interByteTimeoutNanos: 15_000_000)
        // A stray byte that reads as a plausible header (Len 0x30, Adr 00, 0x01 inventory, status 01) holds the
        // good frame behind it until the inter-byte gap has passed.
        let stray: [UInt8] = [0x30, 0x00, 0x01, 0x01]
        var out = decoder.feed(stray + good, now: 500)
        #expect(out.accepted.isEmpty)
        #expect(decoder.deadline == 500 + 15_000_000)
        out += decoder.expire(now: 500 + 15_000_000)
        #expect(out.accepted.map(\.tag?.frame) == [good])
        #expect(out.rejectedCount == stray.count)
        #expect(decoder.bufferedByteCount == 0 && decoder.deadline == nil)
    }

    @Test func crcValidGarbageWithWrongStructureIsNotAccepted() {
        // A CRC-valid window whose command is not a known reply: treated as noise, the good frame after it kept.
        let fake = ChafonFrame.response(address: 0x00, command: 0x99, status: 0x00, data: [1, 2, 3])
        let inconsistent = ChafonFrame.response(
            address: 0x00, command: 0x01, status: 0x01, data: [0x02, 0x04, 1, 2, 3, 4])
        let good = ChafonFrame.realTimeTag(address: 0x00, antenna: 1, epc: [5, 6, 7, 8], rssi: 0x30)
        var decoder = ChafonDecoder()
        let out = decodeAll(&decoder, fake + inconsistent + good)
        #expect(out.accepted.map(\.tag?.frame) == [good])
        #expect(out.rejectedCount == fake.count + inconsistent.count)
    }

    @Test func megabyteOfRandomBytesIsRejectedInBoundedMemory() {
        var rng = SeededGenerator(seed: 42)
        var decoder = ChafonDecoder()
        var out: [ReaderOutput] = []
        var maxBuffered = 0
        for n in 0..<256 {
            out += decoder.feed(rng.bytes(4096), now: UInt64(n) * 1_000)
            maxBuffered = max(maxBuffered, decoder.bufferedByteCount)
        }
        out += decoder.finish()
        #expect(maxBuffered <= 512)
        #expect(out.rejectedCount + decoder.acceptedByteCount == 1 << 20)
        #expect(out.accepted.isEmpty, "CRC-valid structured frames found in random data: \(out.accepted)")
    }

    @Test(arguments: 0..<400 as Range<UInt64>)
    func streamProperty(seed: UInt64) {
        let result = checkStreamProperty(
            seed: seed, timeout: 15_000_000, makeDecoder: { ChafonDecoder() },
            makeFrame: { rng in
                let address: UInt8 = rng.chance(0.5) ? 0x00 : 0xFF
                switch Int.random(in: 0..<10, using: &rng) {
                case 0:
                    let frame = ChafonFrame.response(address: address, command: 0x24, status: 0, data: [])
                    return StreamItem(
                        bytes: frame, expected: [.reply(ReaderReply(command: 0x24, status: 0, data: [], frame: frame))],
                        isFrame: true)
                case 1, 2, 3:
                    var epcs: [[UInt8]] = []
                    var room = 240
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        let n = Int.random(in: 2...62, using: &rng)
                        guard n + 1 <= room else { break }
                        room -= n + 1
                        epcs.append(rng.bytes(n))
                    }
                    let frame = ChafonFrame.inventoryAnswer(
                        address: address, epcs: epcs, status: UInt8.random(in: 1...4, using: &rng))
                    return StreamItem(
                        bytes: frame, expected: epcs.map { .tag(TagRead(epc: $0, frame: frame)) }, isFrame: true)
                default:
                    let epc = rng.bytes(Int.random(in: 2...62, using: &rng))
                    let antenna = Int.random(in: 1...4, using: &rng)
                    let rssi = UInt8.random(in: 0...255, using: &rng)
                    let frame = ChafonFrame.realTimeTag(address: address, antenna: antenna, epc: epc, rssi: rssi)
                    return StreamItem(
                        bytes: frame,
                        expected: [.tag(TagRead(epc: epc, antenna: antenna, rssiRaw: Int(rssi), frame: frame))],
                        isFrame: true)
                }
            },
            makeGarbage: { rng in
                var noise = rng.bytes(Int.random(in: 1...40, using: &rng))
                // Stray headers: plausible Len, address, command and status.
                if rng.chance(0.3) { noise += [UInt8.random(in: 9...255, using: &rng), 0x00, 0xEE, 0x00] }
                if rng.chance(0.3) { noise += [UInt8.random(in: 6...255, using: &rng), 0x00, 0x01, 0x01] }
                return noise
            })
        #expect(result.ok, "\(result.message)")
    }
}
