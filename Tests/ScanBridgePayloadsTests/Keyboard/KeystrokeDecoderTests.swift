import Testing

@testable import ScanBridgePayloads

@Suite struct KeystrokeDecoderTests {
    typealias Output = KeystrokeDecoder.Output

    static func randomPrintable(_ keymap: Keymap, count: Int, using rng: inout SeededGenerator) -> [UInt8] {
        let typable = keymap.typableBytes
        return (0..<count).map { _ in typable.randomElement(using: &rng)! }
    }

    @Test(arguments: Keymap.all.map(\.name))
    func roundTripEnter(name: String) throws {
        let keymap = try #require(Keymap.named(name))
        var rng = SeededGenerator(seed: 7)
        for round in 0..<20 {
            let text = Self.randomPrintable(keymap, count: 1 + round * 5, using: &rng)
            var typist = Typist(keymap: keymap, seed: UInt64(round))
            typist.type(text)
            typist.enter()
            var decoder = KeystrokeDecoder(keymap: keymap)
            #expect(decoder.feed(typist.events) == [.scan(text)])
            #expect(decoder.deadline == nil)
        }
    }

    @Test(arguments: Keymap.all.map(\.name))
    func roundTripKeypadEnterAndTab(name: String) throws {
        let keymap = try #require(Keymap.named(name))
        var rng = SeededGenerator(seed: 8)
        let text = Self.randomPrintable(keymap, count: 40, using: &rng)
        var typist = Typist(keymap: keymap)
        typist.type(text)
        typist.tap(KeyCode.keypadEnter)
        var decoder = KeystrokeDecoder(keymap: keymap)
        #expect(decoder.feed(typist.events) == [.scan(text)])

        var tabTypist = Typist(keymap: keymap)
        tabTypist.type(text)
        tabTypist.tab()
        tabTypist.type(text)
        tabTypist.tab()
        var tabDecoder = KeystrokeDecoder(keymap: keymap, suffix: .tab)
        #expect(tabDecoder.feed(tabTypist.events) == [.scan(text), .scan(text)])
    }

    @Test(arguments: Keymap.all.map(\.name))
    func roundTripGap(name: String) throws {
        let keymap = try #require(Keymap.named(name))
        var rng = SeededGenerator(seed: 9)
        let first = Self.randomPrintable(keymap, count: 30, using: &rng)
        let second = Self.randomPrintable(keymap, count: 12, using: &rng)
        var typist = Typist(keymap: keymap)
        typist.type(first)
        typist.time += 200_000  // a pause between two scans
        typist.type(second)
        var decoder = KeystrokeDecoder(keymap: keymap, suffix: .none)
        var outputs: [Output] = []
        for event in typist.events {
            outputs += decoder.feed(event)
        }
        // The late first key of the second scan ended the first one.
        #expect(outputs == [.scan(first)])
        let deadline = try #require(decoder.deadline)
        #expect(deadline == typist.time + 50_000)
        #expect(decoder.expire(now: deadline - 1) == [])
        #expect(decoder.expire(now: deadline) == [.scan(second)])
        #expect(decoder.deadline == nil)
        #expect(decoder.expire(now: deadline + 1_000_000) == [])
    }

    @Test func gapDoesNotEndAnEnterScan() {
        var typist = Typist(keymap: .us)
        typist.type("AB")
        typist.time += 2_000_000
        typist.type("C")
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us)
        #expect(decoder.feed(typist.events) == [.scan(Array("ABC".utf8))])
        #expect(decoder.expire(now: UInt64.max) == [])
    }

    /// GS1-128 with AIM prefix typed on AZERTY: `]C1` 01 09501101530003 GS 10 ABC123 (GTIN, then a batch).
    @Test func gs1OnAzerty() {
        let gs = KeystrokeDecoder.groupSeparator
        let expected = Array("]C10109501101530003".utf8) + [gs] + Array("10ABC123".utf8)
        var byCtrl = Typist(keymap: .fr)
        byCtrl.type("]C10109501101530003")
        byCtrl.groupSeparatorByCtrl()
        byCtrl.type("10ABC123")
        byCtrl.enter()
        var byAlt = Typist(keymap: .fr)
        byAlt.type("]C10109501101530003")
        byAlt.altCode("0029")
        byAlt.type("10ABC123")
        byAlt.enter()
        for events in [byCtrl.events, byAlt.events] {
            var decoder = KeystrokeDecoder(keymap: .fr)
            #expect(decoder.feed(events) == [.scan(expected)])
        }
        // `]` on AZERTY is AltGr + the `)` key; digits need Shift.
        #expect(Keymap.fr.keystrokes(for: UInt8(ascii: "]"))! == (12, .altGr))
        #expect(Keymap.fr.keystrokes(for: UInt8(ascii: "0"))! == (11, .shift))
    }

    @Test(arguments: Keymap.all.map(\.name))
    func groupSeparatorInEveryKeymap(name: String) throws {
        let keymap = try #require(Keymap.named(name))
        var typist = Typist(keymap: keymap)
        typist.type("01")
        typist.groupSeparatorByCtrl()
        typist.tap(KeyCode.rightBrace, holding: [KeyCode.rightCtrl, KeyCode.leftShift])
        typist.altCode("29")
        typist.altCode("065")
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: keymap)
        #expect(decoder.feed(typist.events) == [.scan(Array("01".utf8) + [0x1D, 0x1D, 0x1D, 0x41])])
    }

    @Test func invalidAltCodeAndCtrlLetterAreRejected() {
        var typist = Typist(keymap: .us)
        typist.type("1")
        typist.altCode("256")
        typist.type("2")
        typist.enter()
        typist.type("3")
        typist.tap(30, holding: [KeyCode.leftCtrl])
        typist.enter()
        typist.type("4")
        typist.tap(30, holding: [KeyCode.leftAlt])
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us)
        #expect(
            decoder.feed(typist.events) == [
                .rejected(reason: "invalid Alt code 256", partial: Array("12".utf8)),
                .rejected(reason: "Ctrl+key 30", partial: Array("3".utf8)),
                .rejected(reason: "Alt+key 30", partial: Array("4".utf8)),
            ])
    }

    @Test func autorepeatIgnored() {
        var typist = Typist(keymap: .us)
        typist.key(30, 1)
        typist.key(30, 2)
        typist.key(30, 2)
        typist.key(30, 0)
        typist.key(KeyCode.leftShift, 1)
        typist.key(KeyCode.leftShift, 2)
        typist.key(48, 1)
        typist.key(48, 0)
        typist.key(KeyCode.leftShift, 0)
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us)
        #expect(decoder.feed(typist.events) == [.scan(Array("aB".utf8))])
    }

    @Test func synDroppedRejectsAndResetsState() {
        var typist = Typist(keymap: .us)
        typist.type("AB")
        typist.key(KeyCode.leftShift, 1)  // Shift held when the kernel drops events
        typist.key(KeyCode.capsLock, 1)
        typist.key(KeyCode.capsLock, 0)
        typist.step()
        typist.events.append(KeyEvent(type: KeyEventType.syn, code: SynCode.dropped, value: 0, time: typist.time))
        typist.key(46, 1)  // ignored: before the next SYN_REPORT (Typist.key ends with one)
        typist.key(46, 0)  // its release; the Shift release was lost
        typist.type("cd")
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us)
        let outputs = decoder.feed(typist.events)
        #expect(
            outputs == [
                .rejected(reason: "events dropped (SYN_DROPPED)", partial: Array("AB".utf8)),
                .scan(Array("cd".utf8)),
            ])
    }

    @Test func synDroppedWithNothingPendingEmitsNothing() {
        var decoder = KeystrokeDecoder(keymap: .us)
        #expect(decoder.feed(KeyEvent(type: 0, code: SynCode.dropped, value: 0, time: 1)) == [])
    }

    @Test func unplugFlushRejects() {
        var typist = Typist(keymap: .de)
        typist.type("4006381")
        var decoder = KeystrokeDecoder(keymap: .de)
        #expect(decoder.feed(typist.events) == [])
        #expect(
            decoder.flush(reason: "device removed") == [
                .rejected(reason: "device removed", partial: Array("4006381".utf8))
            ])
        #expect(decoder.flush(reason: "device removed") == [])
        var none = KeystrokeDecoder(keymap: .de, suffix: .none)
        _ = none.feed(typist.events)
        #expect(none.deadline != nil)
        #expect(none.flush(reason: "gone") == [.rejected(reason: "gone", partial: Array("4006381".utf8))])
        #expect(none.deadline == nil)
    }

    @Test func tooLongSkipsToNextSuffix() {
        var typist = Typist(keymap: .us)
        typist.type("0123456789")
        typist.enter()
        typist.type("ok")
        typist.enter()
        typist.type("01234")
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us, maximumLength: 5)
        #expect(
            decoder.feed(typist.events) == [
                .rejected(reason: "too long", partial: Array("01234".utf8)),
                .scan(Array("ok".utf8)),
                .scan(Array("01234".utf8)),
            ])
    }

    @Test func emptySuffixEmitsNothing() {
        var typist = Typist(keymap: .us)
        typist.enter()
        typist.enter()
        typist.type("x")
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us)
        #expect(decoder.feed(typist.events) == [.scan([UInt8(ascii: "x")])])
    }

    @Test func capsLockAffectsLettersOnly() {
        var typist = Typist(keymap: .us)
        typist.tap(KeyCode.capsLock)
        typist.tap(30)  // a → A
        typist.tap(2)  // 1 stays 1
        typist.tap(30, holding: [KeyCode.leftShift])  // Shift+a with Caps → a
        typist.tap(2, holding: [KeyCode.rightShift])  // Shift+1 → !
        typist.tap(KeyCode.capsLock)
        typist.tap(30)
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us)
        #expect(decoder.feed(typist.events) == [.scan(Array("A1a!a".utf8))])
        #expect(Keymap.de.byte(for: 16, level: .altGr, capsLock: true) == UInt8(ascii: "@"))
    }

    @Test func tabInsideEnterScanAndUnmappedKey() {
        var typist = Typist(keymap: .us)
        typist.type("a")
        typist.tab()
        typist.type("b")
        typist.enter()
        typist.type("c")
        typist.tap(26)  // fine on US
        typist.tap(59)  // F1: unmapped
        typist.type("d")
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .us)
        #expect(
            decoder.feed(typist.events) == [
                .scan([0x61, 0x09, 0x62]),
                .rejected(reason: "unmapped key 59", partial: Array("c[d".utf8)),
            ])
        // A dead key on fr is unmapped too.
        var fr = Typist(keymap: .fr)
        fr.tap(26)
        fr.enter()
        var frDecoder = KeystrokeDecoder(keymap: .fr)
        #expect(frDecoder.feed(fr.events) == [.rejected(reason: "unmapped key 26", partial: [])])
    }

    @Test func keypadDigitsWithoutAlt() {
        var typist = Typist(keymap: .fr)
        for digit in [4, 0, 0, 9] { typist.tap(KeyCode.keypadDigits[digit]) }
        typist.tap(74)
        typist.enter()
        var decoder = KeystrokeDecoder(keymap: .fr)
        #expect(decoder.feed(typist.events) == [.scan(Array("4009-".utf8))])
    }
}
