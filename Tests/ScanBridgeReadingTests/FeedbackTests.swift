import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import Testing

@Suite("Feedback at the device")
struct FeedbackTests {
    func lines() throws -> ReadingScript<LineScannerMachine> {
        ReadingScript(LineScannerMachine(builder: try ReadingFixtures.builder(), maxLineBytes: 64))
    }

    @Test("an accepted scan signals ok; a scan the profile holds signals an error naming the quarantine and why")
    func signals() throws {
        var script = try lines()
        script.open()
        #expect(FeedbackSignal.of(script.feed("]C10109501101530003\r").entries) == .accepted)
        let held = script.feed("]C10109501101530004\r")
        let quarantined = try #require(held.entries.first { $0.event.type == .payloadQuarantined })
        guard case .held(let holds)? = FeedbackSignal.of(held.entries), let hold = holds.first else {
            Issue.record("no error signal for \(held.entries.map(\.event.type))")
            return
        }
        #expect(holds.count == 1)
        #expect(hold.quarantineID == quarantined.event.id.description)
        #expect(hold.reason == quarantined.quarantine?.reason)
        #expect(hold.reason.contains("check digit"), "\(hold.reason)")
    }

    @Test("a hold wins over the good scans read with it, naming every held one; an oversize line is held too")
    func holdWins() throws {
        var script = try lines()
        script.open()
        let mixed = script.feed(
            "]C10109501101530003\r]C10109501101530004\r]C10109501101530003\r]C10109501101530005\r")
        guard case .held(let holds)? = FeedbackSignal.of(mixed.entries) else {
            Issue.record("no error signal")
            return
        }
        #expect(holds.count == 2, "each held scan is named, one signal for the read")
        let oversize = script.feed(String(repeating: "9", count: 100) + "\r")
        #expect(FeedbackSignal.of(oversize.entries)?.kind == "error")
    }

    @Test("reader line noise and a payload cut by an unplug make no signal")
    func noSignal() throws {
        var script = try lines()
        script.open()
        script.feed("]C1010950110")
        #expect(FeedbackSignal.of(script.close().entries) == nil, "the device is gone: nobody to beep at")
        let profile = try #require(try ReadingFixtures.profile("em4100-ascii"))
        let codec = try #require(ReaderCodec.make(framing: .stxHexXor, profile: profile, maxLineBytes: 4096))
        var reader = ReadingScript(
            ReaderMachine(
                codec: codec,
                builder: ScanEventBuilder(device: DeviceIdentity(id: "r", transport: .serial), profile: profile),
                dedupWindowMilliseconds: 0))
        reader.open()
        let noise = reader.feed([0x02] + Array("ZZZZZZZZZZZZ".utf8) + [0x03])
        #expect(noise.entries.contains { $0.event.type == .payloadQuarantined }, "noise is kept for diagnosis")
        #expect(FeedbackSignal.of(noise.entries) == nil)
    }

    @Test("a HID POS plan beeps on a hold only; a refusal or no channel sends the hold to the page")
    func plans() {
        let hid = FeedbackPlan(channel: .hidOutputReport, error: [0x04, 0x20], ok: nil)
        let held = FeedbackSignal.held([.init(quarantineID: "q", reason: "bad check digit")])
        #expect(hid.action(for: held, deviceRefused: false) == .write([0x04, 0x20]))
        #expect(hid.action(for: .accepted, deviceRefused: false) == .none, "the scanner already beeped")
        #expect(hid.action(for: held, deviceRefused: true) == .showOnPage)
        #expect(FeedbackPlan.pageOnly.action(for: held, deviceRefused: false) == .showOnPage)
        #expect(FeedbackPlan.pageOnly.action(for: .accepted, deviceRefused: false) == .none)
        let serial = FeedbackPlan(channel: .serial, error: [0x1B], ok: [0x07])
        #expect(serial.action(for: .accepted, deviceRefused: false) == .write([0x07]))
        #expect(serial.action(for: .accepted, deviceRefused: true) == .none)
    }
}
