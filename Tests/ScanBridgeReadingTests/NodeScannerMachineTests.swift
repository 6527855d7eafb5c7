import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import Testing

@Suite("Node scanner machine (keyboard wedge)")
struct NodeScannerMachineTests {
    /// evdev key codes of the digits 1…9, 0 and Enter.
    static let keys: [Character: UInt16] = [
        "1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "0": 11, "\n": 28,
    ]

    /// `struct input_event`s for `text` typed 2 ms a key, from `start` microseconds.
    static func typed(_ text: String, start: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var time = start
        func event(_ type: UInt16, _ code: UInt16, _ value: Int32) {
            bytes += withUnsafeBytes(of: Int64(time / 1_000_000).littleEndian, Array.init)
            bytes += withUnsafeBytes(of: Int64(time % 1_000_000).littleEndian, Array.init)
            bytes += withUnsafeBytes(of: type.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: code.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        for character in text {
            let code = keys[character]!
            event(1, code, 1)
            event(0, 0, 0)
            event(1, code, 0)
            event(0, 0, 0)
            time += 2000
        }
        return bytes
    }

    func script() throws -> ReadingScript<NodeScannerMachine<KeyboardScanDecoder>> {
        let decoder = KeystrokeDecoder(keymap: .us, suffix: .enter, interKeyGapMicroseconds: 50_000, maximumLength: 64)
        return ReadingScript(
            NodeScannerMachine(
                decoder: KeyboardScanDecoder(decoder: decoder),
                builder: try ReadingFixtures.builder(transport: .hidKeyboard), maxLineBytes: 64))
    }

    @Test("keys typed up to the suffix are one scan, even when events arrive split mid-event")
    func scan() throws {
        var script = try script()
        script.open()
        let bytes = Self.typed("4006381333931\n", start: 1_000_000)
        script.feed(Array(bytes.prefix(100)))
        script.feed(Array(bytes.dropFirst(100)))
        #expect(script.types == [.barcodeScanned])
        #expect(script.entries.first?.event.raw == Array("4006381333931".utf8))
    }

    @Test("a scan cut by an unplug, or by the agent stopping, is quarantined whole with why, never sent")
    func cutScans() throws {
        var script = try script()
        script.feed(Self.typed("40063", start: 1_000_000))
        script.close("end of file (hang-up)")
        #expect(script.types == [.payloadQuarantined])
        #expect(script.entries.first?.quarantine?.reason == "device unplugged in the middle of a scan")
        #expect(script.entries.first?.quarantine?.raw == Array("40063".utf8))
        script.feed(Self.typed("81333", start: 2_000_000))
        script.end(removed: false)
        #expect(script.entries.last?.quarantine?.reason == "agent stopped in the middle of a scan")
        #expect(script.notes.count == 2)
    }
}
