/// A keyboard layout's map from (key code, modifier level) to the byte it types.
///
/// A wedge scanner sends key positions chosen for the keyboard country it is configured for; the
/// agent must decode them with the same layout, or `a` comes out as `q` on AZERTY. Only printable
/// ASCII is represented: barcodes that matter here are ASCII, and dead keys cannot type a byte in
/// one keystroke. The tables are data (`Keymap+US.swift` …) transcribed from Debian's xkb-data and
/// checked against it by a test.
public struct Keymap: Sendable {
    /// The modifier level of a keystroke, as in xkb: level 1–4 = base, Shift, AltGr, Shift+AltGr.
    public enum Level: Int, Sendable, CaseIterable {
        case base = 0
        case shift = 1
        case altGr = 2
        case shiftAltGr = 3

        /// The level selected by the held modifiers.
        public init(shift: Bool, altGr: Bool) {
            switch (shift, altGr) {
            case (false, false): self = .base
            case (true, false): self = .shift
            case (false, true): self = .altGr
            case (true, true): self = .shiftAltGr
            }
        }

        /// Whether typing at this level needs Shift held.
        public var needsShift: Bool { self == .shift || self == .shiftAltGr }
        /// Whether typing at this level needs AltGr (`KEY_RIGHTALT`) held.
        public var needsAltGr: Bool { self == .altGr || self == .shiftAltGr }
    }

    /// Short layout name: "us", "uk", "de", "fr", "es".
    public let name: String
    /// Highest key code in a table plus one; codes at or above it type nothing.
    static let codeLimit = 128
    /// `codeLimit × 4` bytes, 0 where a level types no ASCII.
    private let table: [UInt8]
    /// Keys whose base and Shift levels are a lowercase/uppercase letter pair: Caps Lock swaps them.
    private let letterKeys: [Bool]
    /// For each byte 0…127, the preferred keystroke packed as `code * 4 + level`, or -1.
    private let reverse: [Int]

    init(name: String, rows: [KeymapRow]) {
        var table = [UInt8](repeating: 0, count: Self.codeLimit * 4)
        var letterKeys = [Bool](repeating: false, count: Self.codeLimit)
        for row in rows {
            let code = Int(row.code)
            precondition(code < Self.codeLimit, "key code \(code) out of table range")
            let (base, shift, altGr, shiftAltGr) = row.bytes
            table[code * 4] = base
            table[code * 4 + 1] = shift
            table[code * 4 + 2] = altGr
            table[code * 4 + 3] = shiftAltGr
            letterKeys[code] = (0x61...0x7A).contains(base) && shift == base - 0x20
        }
        // Prefer the lowest level (fewest modifiers), then the lowest code.
        var reverse = [Int](repeating: -1, count: 128)
        for level in 0..<4 {
            for code in 0..<Self.codeLimit {
                let byte = Int(table[code * 4 + level])
                if byte != 0 && reverse[byte] < 0 { reverse[byte] = code * 4 + level }
            }
        }
        self.name = name
        self.table = table
        self.letterKeys = letterKeys
        self.reverse = reverse
    }

    /// The printable ASCII byte that `code` types at `level`, or nil (no key, non-ASCII, dead key).
    /// Caps Lock affects letters only: it swaps the base and Shift levels of letter keys.
    public func byte(for code: UInt16, level: Level, capsLock: Bool) -> UInt8? {
        let index = Int(code)
        guard index < Self.codeLimit else { return nil }
        var level = level
        if capsLock && letterKeys[index] {
            switch level {
            case .base: level = .shift
            case .shift: level = .base
            case .altGr, .shiftAltGr: break
            }
        }
        let byte = table[index * 4 + level.rawValue]
        return byte == 0 ? nil : byte
    }

    /// The key press sequence that types `byte` (used by tests and by scanbridge's simulator to type a
    /// scan): (code, level), Caps Lock off. Nil for bytes this layout cannot type in one keystroke.
    public func keystrokes(for byte: UInt8) -> (code: UInt16, level: Level)? {
        guard byte < 128 else { return nil }
        let packed = reverse[Int(byte)]
        guard packed >= 0, let level = Level(rawValue: packed % 4) else { return nil }
        return (UInt16(packed / 4), level)
    }

    /// Every printable ASCII byte this layout types with one keystroke.
    public var typableBytes: [UInt8] {
        (UInt8(0x20)...UInt8(0x7E)).filter { reverse[Int($0)] >= 0 }
    }

    /// Whether `byte` is one of the bytes in this layout's table.
    public func canType(_ byte: UInt8) -> Bool {
        byte < 128 && reverse[Int(byte)] >= 0
    }

    /// The layout called `name` ("gb" is accepted for "uk"), or nil.
    public static func named(_ name: String) -> Keymap? {
        let wanted = name.lowercased() == "gb" ? "uk" : name.lowercased()
        return all.first { $0.name == wanted }
    }

    /// All built-in layouts.
    public static let all: [Keymap] = [.us, .uk, .de, .fr, .es]
}
