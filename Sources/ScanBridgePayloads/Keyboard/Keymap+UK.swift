extension Keymap {
    /// English (UK), xkb `gb(basic)` (= `latin` + UK changes + AltGr) on a pc105 keyboard.
    ///
    /// Types every printable ASCII character with one keystroke. The AltGr levels are xkb's (from
    /// `latin`), which differ from Windows' UK layout; a scanner never needs them for ASCII.
    public static let uk = Keymap(
        name: "uk",
        rows: [
            KeymapRow(41, "`¬||"),
            KeymapRow(2, "1!¹¡"), KeymapRow(3, "2\"²⅛"), KeymapRow(4, "3£³£"), KeymapRow(5, "4$€¼"),
            KeymapRow(6, "5%½⅜"), KeymapRow(7, "6^¾⅝"), KeymapRow(8, "7&{⅞"), KeymapRow(9, "8*[™"),
            KeymapRow(10, "9(]±"), KeymapRow(11, "0)}°"), KeymapRow(12, "-_\\¿"), KeymapRow(13, "=+¸˛"),
            KeymapRow(16, "qQ@Ω"), KeymapRow(17, "wW·§"), KeymapRow(18, "eEeE"), KeymapRow(19, "rR¶®"),
            KeymapRow(20, "tTŧŦ"), KeymapRow(21, "yY←¥"), KeymapRow(22, "uU↓↑"), KeymapRow(23, "iI→ı"),
            KeymapRow(24, "oOøØ"), KeymapRow(25, "pPþÞ"), KeymapRow(26, "[{¨˚"), KeymapRow(27, "]}˜¯"),
            KeymapRow(30, "aAæÆ"), KeymapRow(31, "sSßẞ"), KeymapRow(32, "dDðÐ"), KeymapRow(33, "fFđª"),
            KeymapRow(34, "gGŋŊ"), KeymapRow(35, "hHħĦ"), KeymapRow(36, "jJ··"), KeymapRow(37, "kKĸ&"),
            KeymapRow(38, "lLłŁ"), KeymapRow(39, ";:´˝"), KeymapRow(40, "'@ˆˇ"), KeymapRow(43, "#~ˋ˘"),
            KeymapRow(86, "\\||¦"),
            KeymapRow(44, "zZ«<"), KeymapRow(45, "xX»>"), KeymapRow(46, "cC¢©"), KeymapRow(47, "vV„‚"),
            KeymapRow(48, "bB“‘"), KeymapRow(49, "nN”’"), KeymapRow(50, "mMµº"), KeymapRow(51, ",<•×"),
            KeymapRow(52, ".>·÷"), KeymapRow(53, "/?··"),
            KeymapRow(57, " ···"),
        ]
    )
}
