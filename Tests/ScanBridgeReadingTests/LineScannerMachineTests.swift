import ScanBridgeCore
import ScanBridgePayloads
import ScanBridgeReading
import Testing

@Suite("Line scanner machine (serial ports, USB vendor streams)")
struct LineScannerMachineTests {
    func script(maxLineBytes: Int = 4096, floodWindowMilliseconds: Int = 10_000) throws -> ReadingScript<
        LineScannerMachine
    > {
        ReadingScript(
            LineScannerMachine(
                builder: try ReadingFixtures.builder(), maxLineBytes: maxLineBytes,
                floodWindowMilliseconds: floodWindowMilliseconds))
    }

    @Test(
        "lines split across reads, ended by CR, LF or CRLF, become scans stamped with the read's time and clock state")
    func lines() throws {
        var script = try script()
        script.open()
        script.feed("]C1010950110153")
        #expect(script.entries.isEmpty, "half a line is not a scan")
        script.milliseconds = 30
        script.clockSynchronized = false
        script.feed("0003\u{1D}10AB\r")
        script.feed("\nSECOND\nTHIRD\r")
        #expect(script.types == [.barcodeScanned, .barcodeScanned, .barcodeScanned])
        let first = try #require(script.entries.first)
        #expect(first.event.raw == Array("]C10109501101530003\u{1D}10AB".utf8))
        #expect(ReadingFixtures.text(first).contains(#""text":"]C10109501101530003\u001d10AB""#))
        #expect(first.event.occurredAt == script.instant.wall)
        #expect(!first.event.clockSynchronized)
        #expect(script.entries.map(\.event.raw) == [first.event.raw, Array("SECOND".utf8), Array("THIRD".utf8)])
    }

    @Test("oversize lines and invalid bytes are quarantined with their raw bytes; the good lines around them pass")
    func rejected() throws {
        var script = try script(maxLineBytes: 32)
        script.feed(Array("GOOD1\n".utf8) + Array(repeating: 0x39, count: 5000) + Array("\nGOOD2\n".utf8))
        script.feed([0x41, 0xC3, 0x28, 0x42, 0x0A] + Array("GOOD3\n".utf8) + [0x41, 0x07, 0x0A])
        #expect(
            script.types == [
                .barcodeScanned, .payloadQuarantined, .barcodeScanned, .payloadQuarantined, .barcodeScanned,
                .payloadQuarantined,
            ])
        let held = script.entries.compactMap(\.quarantine)
        #expect(held.map(\.reasonCode) == ["oversize", "invalid_utf8", "control_character"])
        #expect(held[0].raw == Array(repeating: 0x39, count: 32), "the prefix is kept, bounded by max_line_bytes")
        #expect(ReadingFixtures.text(script.entries[1]).contains(#""length":5000"#))
        #expect(held[1].raw == [0x41, 0xC3, 0x28, 0x42])
        #expect(script.entries.allSatisfy { $0.event.type != .payloadQuarantined || $0.event.raw == nil })
    }

    @Test("a half line is quarantined as incomplete when the device goes away, and when the agent stops")
    func halfLines() throws {
        var script = try script()
        script.feed("ONE\r\nHALF")
        script.close()
        #expect(script.types == [.barcodeScanned, .payloadQuarantined])
        #expect(script.entries[1].quarantine?.reasonCode == "incomplete")
        #expect(script.entries[1].quarantine?.raw == Array("HALF".utf8))
        script.open()
        script.feed("TWO\r\nCUT-BY-STOP")
        script.end(removed: false)
        #expect(script.types.suffix(2) == [.barcodeScanned, .payloadQuarantined])
        #expect(script.entries.last?.quarantine?.raw == Array("CUT-BY-STOP".utf8))
        script.end(removed: false)
        #expect(script.entries.count == 4, "nothing is quarantined twice")
    }

    @Test("a flood is reported once and still read: every garbage line is held, the good line after it passes")
    func babbling() throws {
        var script = try script(maxLineBytes: 256, floodWindowMilliseconds: 1000)
        var generator = SplitMix64(seed: 7)
        var noise: [UInt8] = []
        for _ in 0..<20_000 { noise.append(UInt8.random(in: 0x80...0xFF, using: &generator)) }
        for index in stride(from: 500, to: noise.count, by: 500) { noise[index] = 0x0A }
        script.feed([UInt8](repeating: 0x35, count: 1 << 20) + [0x0A])
        for chunk in stride(from: 0, to: noise.count, by: 4096) {
            script.milliseconds += 10
            script.feed(Array(noise[chunk..<min(chunk + 4096, noise.count)]))
        }
        script.feed("\nGOOD-AFTER-NOISE\n")
        let rates = script.reactions.compactMap(\.rate)
        #expect(rates.count == 1)
        guard case .started(let bytesPerSecond, _)? = rates.first else {
            Issue.record("the flood was not reported")
            return
        }
        #expect(bytesPerSecond > 8192)
        let held = script.entries.compactMap(\.quarantine)
        #expect(held.first?.reasonCode == "oversize")
        #expect(held.allSatisfy { $0.raw.count <= 256 })
        #expect(held.count >= 40)
        #expect(script.types.filter { $0 == .barcodeScanned }.count == 1)
        // The flood's own window is over the limit; the next whole quiet window ends it.
        script.milliseconds += 2000
        script.feed("QUIET\n")
        script.milliseconds += 1100
        script.feed("QUIET\n")
        #expect(script.reactions.last?.rate == .ended)
    }
}

@Suite("Rate watch")
struct RateWatchTests {
    @Test("a scanner at a human pace is never reported as babbling; a flood is, once, until a quiet window")
    func humanPace() {
        var watch = RateWatch(windowMilliseconds: 1000)
        var now: UInt64 = 0
        for _ in 0..<200 {
            now += 100_000_000
            #expect(watch.record(bytes: 40, payloads: 1, now: now) == nil)
        }
        guard case .started(let bytesPerSecond, _)? = watch.record(bytes: 9000, payloads: 1, now: now + 1) else {
            Issue.record("a flood of 9 KB in under a second was not reported")
            return
        }
        #expect(bytesPerSecond > 8192)
        #expect(watch.record(bytes: 9000, payloads: 1, now: now + 2) == nil)
        #expect(watch.record(bytes: 10, payloads: 1, now: now + 1_500_000_000) == .ended)
    }
}
