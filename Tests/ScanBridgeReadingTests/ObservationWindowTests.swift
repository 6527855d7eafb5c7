import ScanBridgeCore
import ScanBridgePayloads
import Testing

@testable import ScanBridgeReading

@Suite("Observation window (deduplication)")
struct ObservationWindowTests {
    static let ms: UInt64 = 1_000_000
    let epcA: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85]
    let epcB: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x86]

    func read(_ epc: [UInt8], antenna: Int? = 1, dBm: Int? = nil, raw: Int? = nil, count: Int = 1) -> TagRead {
        TagRead(epc: epc, antenna: antenna, rssiDBm: dBm, rssiRaw: raw, readCount: count, frame: epc)
    }

    func time(_ milliseconds: Int64) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000 + milliseconds * 1000)
    }

    @Test(
        "reads of one tag on one antenna within the window become one observation: reads summed, best RSSI, first and last seen"
    )
    func merges() {
        var window = ObservationWindow(windowMilliseconds: 2000)
        #expect(window.add(read(epcA, dBm: -60, count: 3), now: 0, at: time(0)).isEmpty)
        #expect(window.add(read(epcA, dBm: -48, count: 2), now: 500 * Self.ms, at: time(500)).isEmpty)
        #expect(window.add(read(epcA, dBm: -70), now: 1900 * Self.ms, at: time(1900)).isEmpty)
        #expect(window.deadline == 2000 * Self.ms)
        #expect(window.expire(now: 1999 * Self.ms).isEmpty)
        let closed = window.expire(now: 2000 * Self.ms)
        #expect(closed.count == 1)
        #expect(closed.first?.reads == 6)
        #expect(closed.first?.rssiDBm == -48)
        #expect(closed.first?.firstSeen == time(0))
        #expect(closed.first?.lastSeen == time(1900))
        #expect(closed.first?.frame == epcA)
        #expect(window.deadline == nil)
    }

    @Test("another antenna or another tag is another observation; windows close in the order they opened")
    func keys() {
        var window = ObservationWindow(windowMilliseconds: 100)
        _ = window.add(read(epcA, antenna: 1), now: 0, at: time(0))
        _ = window.add(read(epcB, antenna: 1), now: 10 * Self.ms, at: time(10))
        _ = window.add(read(epcA, antenna: 2), now: 20 * Self.ms, at: time(20))
        _ = window.add(read(epcA, antenna: 1), now: 30 * Self.ms, at: time(30))
        let closed = window.expire(now: 200 * Self.ms)
        #expect(closed.map(\.epc) == [epcA, epcB, epcA])
        #expect(closed.map(\.antenna) == [1, 1, 2])
        #expect(closed.map(\.reads) == [2, 1, 1])
    }

    @Test("a tag staying in the field is reported once per window, and a read after the window opens a new one")
    func fixedWindow() {
        var window = ObservationWindow(windowMilliseconds: 100)
        var closed: [TagObservation] = []
        for step in 0..<10 {
            closed += window.add(read(epcA), now: UInt64(step) * 30 * Self.ms, at: time(Int64(step) * 30))
        }
        closed += window.closeAll()
        // Reads at 0…270 ms in 100 ms windows opened at 0, 120 and 240 ms.
        #expect(closed.map(\.reads) == [4, 4, 2])
        #expect(closed.map(\.reads).reduce(0, +) == 10)
    }

    @Test("zero window: every read is its own observation, at once")
    func zeroWindow() {
        var window = ObservationWindow(windowMilliseconds: 0)
        #expect(window.add(read(epcA, raw: 77), now: 0, at: time(0)).map(\.rssiRaw) == [77])
        #expect(window.add(read(epcA, raw: 70), now: 0, at: time(0)).map(\.rssiRaw) == [70])
        #expect(window.deadline == nil)
    }

    @Test("closing all windows (shutdown, unplug) loses no read")
    func closeAll() {
        var window = ObservationWindow(windowMilliseconds: 60_000)
        _ = window.add(read(epcA, count: 2), now: 0, at: time(0))
        _ = window.add(read(epcB), now: 1, at: time(0))
        _ = window.add(read(epcA, count: 5), now: 2, at: time(0))
        let closed = window.closeAll()
        #expect(closed.map(\.reads) == [7, 1])
        #expect(window.openCount == 0)
    }

    @Test("the event data names the EPC's URIs, keeps the hex, and has every key")
    func eventData() throws {
        let observation = TagObservation(
            epc: [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85], antenna: 2, rssiDBm: -51,
            rssiRaw: nil, reads: 4, firstSeen: time(0), lastSeen: time(1500), frame: [])
        let json = String(decoding: ObservationEvent.data(observation, decodeEPC: true), as: UTF8.self)
        #expect(json.contains(#""epc_hex":"3074257BF7194E4000001A85""#))
        #expect(json.contains(#""epc_uri":"urn:epc:id:sgtin:0614141.812345.6789""#))
        #expect(json.contains(#""tag_uri":"urn:epc:tag:sgtin-96:3.0614141.812345.6789""#))
        #expect(json.contains(#""antenna":2"#))
        #expect(json.contains(#""rssi_dbm":-51"#))
        #expect(json.contains(#""rssi_raw":null"#))
        #expect(json.contains(#""reads":4"#))
        let em = TagObservation(
            epc: [0x01, 0x02, 0x03, 0x04, 0x05], antenna: nil, rssiDBm: nil, rssiRaw: nil, reads: 1, firstSeen: time(0),
            lastSeen: time(0), frame: [])
        let emJSON = String(decoding: ObservationEvent.data(em, decodeEPC: false), as: UTF8.self)
        #expect(emJSON.contains(#""epc_hex":"0102030405""#))
        #expect(emJSON.contains(#""epc_uri":null"#))
        #expect(emJSON.contains(#""antenna":null"#))
    }
}
