import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import Testing

@Suite("Reader machine (protocol readers)")
struct ReaderMachineTests {
    let epcA: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85]
    let epcB: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x86]

    func mercury(window: Int = 2000) throws -> ReadingScript<ReaderMachine> {
        let profile = try #require(try ReadingFixtures.profile("thingmagic-mercury"))
        let codec = try #require(ReaderCodec.make(framing: .mercury, profile: profile, maxLineBytes: 4096))
        let builder = ScanEventBuilder(device: DeviceIdentity(id: "reader", transport: .serial), profile: profile)
        return ReadingScript(ReaderMachine(codec: codec, builder: builder, dedupWindowMilliseconds: window))
    }

    func tag(_ epc: [UInt8], antenna: Int = 1) -> [UInt8] {
        MercuryFrame.tagReport(TagRead(epc: epc, antenna: antenna, rssiDBm: -58, rssiRaw: nil, readCount: 1, frame: []))
    }

    /// Opens the reader and answers both start commands.
    func started(_ script: inout ReadingScript<ReaderMachine>) {
        script.open()
        script.feed(MercuryFrame.response(opcode: 0x93, status: 0, data: []))
        script.feed(MercuryFrame.response(opcode: 0x2F, status: 0, data: []))
    }

    @Test("at open the start commands go one at a time, each after the previous reply; a silent reader is restarted")
    func session() throws {
        var script = try mercury()
        let opened = script.open()
        #expect(opened.commands.map(\.purpose) == ["start 0x93"])
        #expect(opened.commands.first?.bytes == MercuryFrame.command(opcode: 0x93, data: [0x00, 0x05]))
        #expect(opened.deadline != nil, "the reply has a timeout")
        let second = script.feed(MercuryFrame.response(opcode: 0x93, status: 0, data: []))
        #expect(second.commands.map(\.purpose) == ["start 0x2F"])
        #expect(script.feed(MercuryFrame.response(opcode: 0x2F, status: 0, data: [])).commands.isEmpty)
        // restart_after_quiet_ms: 10000 in the built-in profile.
        let fired = script.advance(milliseconds: 10_001)
        let restart = try #require(fired)
        #expect(restart.notes.map(\.level) == [.warning])
        #expect(restart.commands.map(\.purpose) == ["start 0x93"])
    }

    @Test("reads of one tag inside the window become one observation when the window closes, on the timer")
    func deduplication() throws {
        var script = try mercury()
        started(&script)
        script.feed(tag(epcA))
        script.milliseconds += 500
        script.feed(tag(epcA) + tag(epcB, antenna: 2))
        script.milliseconds += 500
        script.feed(tag(epcA))
        #expect(script.entries.isEmpty, "windows are still open")
        #expect(script.reactions.map(\.counts.tagReads).reduce(0, +) == 4)
        #expect(script.advance(milliseconds: 1000)?.entries.count == 1, "epcA's window opened first")
        #expect(script.advance(milliseconds: 500)?.entries.count == 1)
        #expect(script.types == [.rfidObserved, .rfidObserved])
        let first = ReadingFixtures.text(script.entries[0])
        #expect(first.contains(#""epc_hex":"3074257BF7194E4000001A85""#) && first.contains(#""reads":3"#))
        #expect(first.contains(#""epc_uri":"urn:epc:id:sgtin:"#))
        #expect(script.reactions.map(\.counts.observedReads).reduce(0, +) == 4)
    }

    @Test("open windows are stored when the reader goes away and when the agent stops")
    func closeStoresWindows() throws {
        var script = try mercury()
        started(&script)
        script.feed(tag(epcA))
        #expect(script.close().entries.map(\.event.type) == [.rfidObserved])
        started(&script)
        script.feed(tag(epcB))
        script.feed(Array(tag(epcA).prefix(9)))
        let end = script.end(removed: false)
        #expect(end.entries.map(\.event.type).contains(.rfidObserved))
        #expect(end.deadline == nil)
    }

    @Test("garbage is sampled into quarantine, at most ten runs a minute; the rest is counted and summarised")
    func rejectionBudget() throws {
        var script = try mercury()
        started(&script)
        for _ in 0..<25 {
            script.milliseconds += 100
            script.feed([0xFF, 0x00, 0x13, 0x37] + [UInt8](repeating: 0x55, count: 40))
            script.advance(milliseconds: 100)
        }
        let held = script.entries.compactMap(\.quarantine)
        #expect(held.count == 10)
        #expect(held.allSatisfy { $0.reasonCode.hasPrefix("frame_") })
        #expect(script.reactions.map(\.counts.rejectedBytes).reduce(0, +) >= 25 * 44 - 50)
        script.milliseconds += 60_000
        script.feed([0x55, 0x55])
        script.advance(milliseconds: 100)
        #expect(script.notes.contains { $0.message.hasPrefix("reader line noisy:") })
    }
}
