/// Turns key events from a keyboard-wedge scanner into scans.
///
/// Choices, and why:
/// - With suffix `.enter` or `.tab` the suffix alone ends a scan; the inter-key gap is not used
///   (`deadline` is nil), because scanners can be configured with inter-character delays and the suffix
///   is authoritative. A half-typed scan is only cut by `flush(reason:)`, `SYN_DROPPED` or the length limit.
/// - With suffix `.none` a scan ends when no key event arrives for `interKeyGapMicroseconds`: by `expire(now:)`,
///   or by the next key event if it is that late (events may be read in a batch after the deadline).
/// - A keystroke that cannot become a byte (unmapped key, dead key, Ctrl/Alt with another key) spoils the
///   whole scan: it ends as `.rejected` with the bytes decoded so far, never as a partial barcode.
/// - GS (0x1D): Ctrl + `KEY_RIGHTBRACE` (27) in every layout, because the scanner sends the HID usage of the
///   US `]` key position (usage 0x30) whatever the host's layout; and Alt + keypad digits (`Alt+0029`), the byte
///   being the decimal number typed while Left Alt was held (1–4 digits, 1…255), emitted when Alt is released.
///   Sources: keyboard-wedge ASCII tables send control characters as Ctrl + the letter/symbol of the same
///   ASCII row (Ctrl+] = 0x1D; e.g. Wasp WLS8400 manual, "Keyboard Wedge ASCII Character Set"); Odoo PRs
///   #99730 and #157179 report Honeywell, Datalogic, Zebra and Motorola scanners sending Alt+029 for GS.
/// - `Tab` inside a scan is byte 0x09 unless Tab is the suffix; `Enter` is 0x0D unless Enter is the suffix.
/// - After `SYN_DROPPED` the kernel lost events, so key state is unknown: the pending scan is rejected,
///   modifiers and Caps Lock are reset, and events up to the next `SYN_REPORT` are ignored (evdev's rule).
public struct KeystrokeDecoder: Sendable {
    public enum Output: Sendable, Hashable {
        /// One complete scan, without the suffix.
        case scan([UInt8])
        /// Keystrokes that could not be turned into bytes (unmapped key, dead key), or a scan cut by
        /// SYN_DROPPED or by `flush(reason:)`; raw kept for diagnosis.
        case rejected(reason: String, partial: [UInt8])
    }

    /// ASCII GS, the GS1 field separator (FNC1 in data).
    public static let groupSeparator: UInt8 = 0x1D
    /// The reason given when `SYN_DROPPED` cuts a scan.
    public static let droppedReason = "events dropped (SYN_DROPPED)"
    /// The reason given when a scan exceeds `maximumLength`.
    public static let tooLongReason = "too long"

    public let keymap: Keymap
    public let suffix: ScanSuffix
    public let interKeyGapMicroseconds: UInt64
    public let maximumLength: Int

    private var modifiers = ModifierState()
    private var capsLock = false
    /// Bytes of the scan being typed.
    private var pending: [UInt8] = []
    /// Why the scan being typed will be rejected, if a keystroke spoiled it.
    private var spoiled: String?
    /// The scan exceeded `maximumLength` and was already reported: drop keystrokes until it ends.
    private var skipping = false
    /// A scan is in progress (bytes, a spoiling keystroke or an Alt code so far).
    private var inScan = false
    /// Time of the last key event of the scan in progress.
    private var lastKeyTime: UInt64 = 0
    /// Keypad digits typed while Alt is held (an Alt code), nil when none.
    private var altDigits: [UInt8]?
    /// After SYN_DROPPED, ignore events until the next SYN_REPORT.
    private var awaitingReport = false

    public init(
        keymap: Keymap, suffix: ScanSuffix = .enter, interKeyGapMicroseconds: UInt64 = 50_000,
        maximumLength: Int = 4096
    ) {
        precondition(maximumLength >= 1, "maximumLength must be at least 1")
        self.keymap = keymap
        self.suffix = suffix
        self.interKeyGapMicroseconds = interKeyGapMicroseconds
        self.maximumLength = maximumLength
    }

    /// Feeds one event; returns the scans and rejections it completes (usually none).
    public mutating func feed(_ event: KeyEvent) -> [Output] {
        if event.type == KeyEventType.syn {
            if event.code == SynCode.dropped {
                awaitingReport = true
                let out = endScan(rejectingWith: Self.droppedReason)
                modifiers = ModifierState()
                capsLock = false
                return out
            }
            if event.code == SynCode.report { awaitingReport = false }
            return []
        }
        guard event.type == KeyEventType.key, !awaitingReport else { return [] }
        guard event.value == KeyValue.press || event.value == KeyValue.release else { return [] }

        var out: [Output] = []
        if suffix == .none, inScan, let deadline, event.time >= deadline {
            out += finishScan()
        }
        if inScan { lastKeyTime = event.time }
        let pressed = event.value == KeyValue.press

        if modifiers.update(code: event.code, pressed: pressed) {
            if event.code == KeyCode.leftAlt && !pressed { out += endAltCode(at: event.time) }
            return out
        }
        guard pressed else { return out }
        switch event.code {
        case KeyCode.capsLock:
            capsLock.toggle()
            return out
        case KeyCode.numLock, KeyCode.scrollLock:
            return out  // scanners may toggle NumLock around Alt codes; NumLock is assumed on
        default:
            break
        }
        if (suffix == .enter && (event.code == KeyCode.enter || event.code == KeyCode.keypadEnter))
            || (suffix == .tab && event.code == KeyCode.tab)
        {
            if altDigits != nil { spoil("Alt code cut by the suffix", at: event.time) }
            return out + finishScan()
        }
        if modifiers.alt {
            if let digit = KeyCode.keypadDigit(event.code) {
                startScan(at: event.time)
                altDigits = (altDigits ?? []) + [digit]
            } else {
                spoil("Alt+key \(event.code)", at: event.time)
            }
            return out
        }
        if modifiers.ctrl {
            if event.code == KeyCode.rightBrace {
                out += append(Self.groupSeparator, at: event.time)
            } else {
                spoil("Ctrl+key \(event.code)", at: event.time)
            }
            return out
        }
        if let byte = byte(for: event.code) {
            out += append(byte, at: event.time)
        } else {
            spoil("unmapped key \(event.code)", at: event.time)
        }
        return out
    }

    /// When the pending scan ends by the gap rule (suffix `.none`): time of last key + gap; nil if nothing
    /// is pending or the suffix is `.enter`/`.tab` (then the gap does not end a scan).
    public var deadline: UInt64? {
        guard suffix == .none, inScan else { return nil }
        let (sum, overflow) = lastKeyTime.addingReportingOverflow(interKeyGapMicroseconds)
        return overflow ? UInt64.max : sum
    }

    /// The gap has passed: with suffix `.none` the pending bytes become a `.scan`. Does nothing before the
    /// deadline or with suffix `.enter`/`.tab`.
    public mutating func expire(now: UInt64) -> [Output] {
        guard let deadline, now >= deadline else { return [] }
        return finishScan()
    }

    /// The device is gone (unplugged, read error): a half-typed scan becomes `.rejected(reason, partial)`,
    /// never a partial barcode, and all key state is forgotten.
    public mutating func flush(reason: String) -> [Output] {
        let out = endScan(rejectingWith: reason)
        modifiers = ModifierState()
        capsLock = false
        awaitingReport = false
        return out
    }

    // MARK: - Scan state

    private func byte(for code: UInt16) -> UInt8? {
        if let digit = KeyCode.keypadDigit(code) { return UInt8(ascii: "0") + digit }
        if let symbol = KeyCode.keypadSymbol(code) { return symbol }
        if code == KeyCode.tab { return 0x09 }
        if code == KeyCode.enter || code == KeyCode.keypadEnter { return 0x0D }
        let level = Keymap.Level(shift: modifiers.shift, altGr: modifiers.altGr)
        return keymap.byte(for: code, level: level, capsLock: capsLock)
    }

    private mutating func startScan(at time: UInt64) {
        if !inScan {
            inScan = true
            lastKeyTime = time
        }
    }

    private mutating func spoil(_ reason: String, at time: UInt64) {
        startScan(at: time)
        if spoiled == nil && !skipping { spoiled = reason }
    }

    private mutating func append(_ byte: UInt8, at time: UInt64) -> [Output] {
        startScan(at: time)
        guard !skipping else { return [] }
        guard pending.count < maximumLength else {
            let reason = spoiled ?? Self.tooLongReason
            let out = Output.rejected(reason: reason, partial: pending)
            pending = []
            spoiled = nil
            skipping = true
            return [out]
        }
        pending.append(byte)
        return []
    }

    /// Alt released: the keypad digits typed while it was held become one byte (decimal, 1–255).
    private mutating func endAltCode(at time: UInt64) -> [Output] {
        guard let digits = altDigits else { return [] }
        altDigits = nil
        var value = 0
        for digit in digits.prefix(4) { value = value * 10 + Int(digit) }
        guard digits.count <= 4, (1...255).contains(value) else {
            spoil("invalid Alt code \(digits.map { String($0) }.joined())", at: time)
            return []
        }
        return append(UInt8(value), at: time)
    }

    /// The scan ended normally (suffix or gap).
    private mutating func finishScan() -> [Output] {
        defer { resetScan() }
        guard inScan, !skipping else { return [] }
        if let spoiled { return [.rejected(reason: spoiled, partial: pending)] }
        if altDigits != nil { return [.rejected(reason: "Alt code not finished", partial: pending)] }
        return pending.isEmpty ? [] : [.scan(pending)]
    }

    /// The scan was cut: whatever was typed is rejected.
    private mutating func endScan(rejectingWith reason: String) -> [Output] {
        defer { resetScan() }
        guard inScan, !skipping else { return [] }
        return [.rejected(reason: reason, partial: pending)]
    }

    private mutating func resetScan() {
        pending = []
        spoiled = nil
        skipping = false
        inScan = false
        altDigits = nil
    }
}
