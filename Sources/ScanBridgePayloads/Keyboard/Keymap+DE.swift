extension Keymap {
    /// German, xkb `de(basic)` (= `latin(type4)` + German changes + AltGr) on a pc105 keyboard: QWERTZ
    /// (Y and Z swapped), `@` on AltGr+Q, `{[]}` on AltGr+7…0, `\` on AltGr+ß, `|` on AltGr+<, `~` on AltGr++.
    ///
    /// Cannot type with one keystroke: `^` and `` ` `` (dead keys: ^ on the key left of 1, ´ and ` on the key
    /// left of Backspace).
    public static let de = Keymap(
        name: "de",
        rows: [
            KeymapRow(41, "ˆ°′″"),
            KeymapRow(2, "1!¹¡"), KeymapRow(3, "2\"²⅛"), KeymapRow(4, "3§³£"), KeymapRow(5, "4$¼¤"),
            KeymapRow(6, "5%½⅜"), KeymapRow(7, "6&¬⅝"), KeymapRow(8, "7/{⅞"), KeymapRow(9, "8([™"),
            KeymapRow(10, "9)]±"), KeymapRow(11, "0=}°"), KeymapRow(12, "ß?\\¿"), KeymapRow(13, "´ˋ¸˛"),
            KeymapRow(16, "qQ@Ω"), KeymapRow(17, "wW·§"), KeymapRow(18, "eE€€"), KeymapRow(19, "rR¶®"),
            KeymapRow(20, "tTŧŦ"), KeymapRow(21, "zZ←¥"), KeymapRow(22, "uU↓↑"), KeymapRow(23, "iI→ı"),
            KeymapRow(24, "oOøØ"), KeymapRow(25, "pPþÞ"), KeymapRow(26, "üÜ¨˚"), KeymapRow(27, "+*~¯"),
            KeymapRow(30, "aAæÆ"), KeymapRow(31, "sSſẞ"), KeymapRow(32, "dDðÐ"), KeymapRow(33, "fFđª"),
            KeymapRow(34, "gGŋŊ"), KeymapRow(35, "hHħĦ"), KeymapRow(36, "jJ··"), KeymapRow(37, "kKĸ&"),
            KeymapRow(38, "lLłŁ"), KeymapRow(39, "öÖ˝·"), KeymapRow(40, "äÄˆˇ"), KeymapRow(43, "#'’˘"),
            KeymapRow(86, "<>|·"),
            KeymapRow(44, "yY»›"), KeymapRow(45, "xX«‹"), KeymapRow(46, "cC¢©"), KeymapRow(47, "vV„‚"),
            KeymapRow(48, "bB“‘"), KeymapRow(49, "nN”’"), KeymapRow(50, "mMµº"), KeymapRow(51, ",;·×"),
            KeymapRow(52, ".:…÷"), KeymapRow(53, "-_–—"),
            KeymapRow(57, " ···"),
        ]
    )
}
