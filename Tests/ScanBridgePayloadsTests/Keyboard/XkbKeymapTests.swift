import Foundation
import Testing

@testable import ScanBridgePayloads

/// Checks the hand-written keymap tables against Debian's xkb-data, as extracted by
/// `Tests/Tools/xkb-keymap-table.py` into `Tests/Fixtures/xkb-keymaps.json`.
@Suite struct XkbKeymapTests {
    /// keymap name → evdev code → [base, shift, altGr, shiftAltGr] (0 = no printable ASCII).
    static let fixture: [String: [UInt16: [UInt8]]] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fixtures/xkb-keymaps.json").standardized
        let data = try! Data(contentsOf: url)
        let raw = try! JSONDecoder().decode([String: [String: [Int]]].self, from: data)
        return raw.mapValues { table in
            Dictionary(uniqueKeysWithValues: table.map { (UInt16($0.key)!, $0.value.map { UInt8($0) }) })
        }
    }()

    @Test func fixtureCoversEveryKeymap() {
        #expect(Set(Self.fixture.keys) == Set(Keymap.all.map(\.name)))
        #expect(Keymap.all.count == 5)
    }

    @Test(arguments: Keymap.all.map(\.name))
    func keystrokesTypeWhatXkbSays(name: String) throws {
        let keymap = try #require(Keymap.named(name))
        let xkb = try #require(Self.fixture[name])
        for byte in UInt8(0x20)...UInt8(0x7E) {
            guard let (code, level) = keymap.keystrokes(for: byte) else { continue }
            let entry = xkb[code]?[level.rawValue]
            #expect(entry == byte, "\(name): \(UnicodeScalar(byte)) typed as \(code)/\(level), xkb says \(entry ?? 0)")
        }
    }

    @Test(arguments: Keymap.all.map(\.name))
    func everyEntryAgreesWithXkb(name: String) throws {
        let keymap = try #require(Keymap.named(name))
        let xkb = try #require(Self.fixture[name])
        for code in UInt16(0)..<200 {
            for level in Keymap.Level.allCases {
                let ours = keymap.byte(for: code, level: level, capsLock: false)
                let theirs = xkb[code].map { $0[level.rawValue] }.flatMap { $0 == 0 ? nil : $0 }
                #expect(ours == theirs, "\(name) code \(code) level \(level): ours \(ours ?? 0), xkb \(theirs ?? 0)")
            }
        }
    }

    @Test(arguments: Keymap.all.map(\.name))
    func typableSetEqualsXkb(name: String) throws {
        let keymap = try #require(Keymap.named(name))
        let xkb = try #require(Self.fixture[name])
        let xkbSet = Set(xkb.values.flatMap { $0 }.filter { (0x20...0x7E).contains($0) })
        #expect(Set(keymap.typableBytes) == xkbSet)
    }

    /// The printable ASCII each layout cannot type with one keystroke (documented in the Keymap files).
    @Test func untypable() {
        func missing(_ keymap: Keymap) -> String {
            String(decoding: (UInt8(0x20)...UInt8(0x7E)).filter { !keymap.canType($0) }, as: UTF8.self)
        }
        #expect(missing(.us) == "")
        #expect(missing(.uk) == "")
        #expect(missing(.de) == "^`")
        #expect(missing(.fr) == "")
        #expect(missing(.es) == "^`")
        #expect(Keymap.de.keystrokes(for: UInt8(ascii: "^")) == nil)
    }

    @Test func layoutLandmarks() {
        // Known positions, independent of xkb: QWERTZ, AZERTY, AltGr characters.
        #expect(Keymap.de.byte(for: 21, level: .base, capsLock: false) == UInt8(ascii: "z"))
        #expect(Keymap.de.byte(for: 44, level: .base, capsLock: false) == UInt8(ascii: "y"))
        #expect(Keymap.de.byte(for: 16, level: .altGr, capsLock: false) == UInt8(ascii: "@"))
        #expect(Keymap.fr.byte(for: 16, level: .base, capsLock: false) == UInt8(ascii: "a"))
        #expect(Keymap.fr.byte(for: 2, level: .shift, capsLock: false) == UInt8(ascii: "1"))
        #expect(Keymap.fr.byte(for: 11, level: .altGr, capsLock: false) == UInt8(ascii: "@"))
        #expect(Keymap.fr.byte(for: 26, level: .base, capsLock: false) == nil)  // dead ^
        #expect(Keymap.es.byte(for: 3, level: .altGr, capsLock: false) == UInt8(ascii: "@"))
        #expect(Keymap.uk.byte(for: 40, level: .shift, capsLock: false) == UInt8(ascii: "@"))
        #expect(Keymap.us.byte(for: 16, level: .altGr, capsLock: false) == nil)
        #expect(Keymap.named("gb")?.name == "uk")
        #expect(Keymap.named("xx") == nil)
    }
}
