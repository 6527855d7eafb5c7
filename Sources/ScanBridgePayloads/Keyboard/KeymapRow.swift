/// One row of a keymap's data table: a key code and what its four levels type.
///
/// `levels` is written as the four characters the key types (base, Shift, AltGr, Shift+AltGr), so a
/// table reads like the layout. Only printable ASCII counts: any other character (é, £, ·, and dead
/// keys, written as their spacing forms ˆ ˋ ´ ¨ ˜) means "no ASCII byte at this level", as does `·`.
struct KeymapRow: Sendable {
    let code: UInt16
    let bytes: (UInt8, UInt8, UInt8, UInt8)

    init(_ code: UInt16, _ levels: String) {
        let scalars = Array(levels.unicodeScalars)
        precondition(scalars.count == 4, "keymap row \(code) needs 4 levels: \(levels)")
        func ascii(_ scalar: Unicode.Scalar) -> UInt8 {
            (0x20...0x7E).contains(scalar.value) ? UInt8(scalar.value) : 0
        }
        self.code = code
        self.bytes = (ascii(scalars[0]), ascii(scalars[1]), ascii(scalars[2]), ascii(scalars[3]))
    }
}
