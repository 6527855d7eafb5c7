import ScanBridgePayloads

/// Types text the way a wedge scanner does: modifier presses around each key, press/release pairs,
/// events 1–5 ms apart, each followed by SYN_REPORT (and the MSC_SCAN a real keyboard sends first).
struct Typist {
    var keymap: Keymap
    var time: UInt64 = 1_000_000
    var rng = SeededGenerator(seed: 42)
    var events: [KeyEvent] = []

    init(keymap: Keymap, seed: UInt64 = 42) {
        self.keymap = keymap
        self.rng = SeededGenerator(seed: seed)
    }

    mutating func step() { time += UInt64.random(in: 1_000...5_000, using: &rng) }

    mutating func key(_ code: UInt16, _ value: Int32) {
        step()
        events.append(KeyEvent(type: KeyEventType.msc, code: 4, value: 0x7_0000 + Int32(code), time: time))
        events.append(KeyEvent(type: KeyEventType.key, code: code, value: value, time: time))
        events.append(KeyEvent(type: KeyEventType.syn, code: SynCode.report, value: 0, time: time))
    }

    mutating func tap(_ code: UInt16, holding modifiers: [UInt16] = []) {
        for modifier in modifiers { key(modifier, 1) }
        key(code, 1)
        key(code, 0)
        for modifier in modifiers.reversed() { key(modifier, 0) }
    }

    mutating func type(_ bytes: [UInt8]) {
        for byte in bytes {
            guard let (code, level) = keymap.keystrokes(for: byte) else {
                preconditionFailure("\(keymap.name) cannot type \(byte)")
            }
            var modifiers: [UInt16] = []
            if level.needsShift { modifiers.append(KeyCode.leftShift) }
            if level.needsAltGr { modifiers.append(KeyCode.rightAlt) }
            tap(code, holding: modifiers)
        }
    }

    mutating func type(_ text: String) { type(Array(text.utf8)) }

    /// GS as Ctrl + the US `]` key position.
    mutating func groupSeparatorByCtrl() { tap(KeyCode.rightBrace, holding: [KeyCode.leftCtrl]) }

    /// A byte as Alt + keypad digits (e.g. "0029").
    mutating func altCode(_ digits: String) {
        key(KeyCode.leftAlt, 1)
        for character in digits {
            tap(KeyCode.keypadDigits[Int(String(character))!])
        }
        key(KeyCode.leftAlt, 0)
    }

    mutating func enter() { tap(KeyCode.enter) }
    mutating func tab() { tap(KeyCode.tab) }
}

extension KeystrokeDecoder {
    mutating func feed(_ events: [KeyEvent]) -> [Output] {
        events.flatMap { feed($0) }
    }
}
