extension Keymap {
    /// Spanish, xkb `es(basic)` (= `latin(type4)` + Spanish changes + AltGr) on a pc105 keyboard: `|@#~` on
    /// AltGr+1…4, `[]` on AltGr+` and AltGr++, `{}` on AltGr+´ and AltGr+ç, `\` on AltGr+º.
    ///
    /// Cannot type with one keystroke: `` ` `` and `^` (dead keys on the key right of P, levels 1 and 2).
    public static let es = Keymap(
        name: "es",
        rows: [
            KeymapRow(41, "ºª\\\\"),
            KeymapRow(2, "1!|¡"), KeymapRow(3, "2\"@⅛"), KeymapRow(4, "3·#£"), KeymapRow(5, "4$~$"),
            KeymapRow(6, "5%½⅜"), KeymapRow(7, "6&¬⅝"), KeymapRow(8, "7/{⅞"), KeymapRow(9, "8([™"),
            KeymapRow(10, "9)]±"), KeymapRow(11, "0=}°"), KeymapRow(12, "'?\\¿"), KeymapRow(13, "¡¿¸˛"),
            KeymapRow(16, "qQ@Ω"), KeymapRow(17, "wW·§"), KeymapRow(18, "eE€¢"), KeymapRow(19, "rR¶®"),
            KeymapRow(20, "tTŧŦ"), KeymapRow(21, "yY←¥"), KeymapRow(22, "uU↓↑"), KeymapRow(23, "iI→ı"),
            KeymapRow(24, "oOøØ"), KeymapRow(25, "pPþÞ"), KeymapRow(26, "ˋˆ[˚"), KeymapRow(27, "+*]¯"),
            KeymapRow(30, "aAæÆ"), KeymapRow(31, "sSßẞ"), KeymapRow(32, "dDðÐ"), KeymapRow(33, "fFđª"),
            KeymapRow(34, "gGŋŊ"), KeymapRow(35, "hHħĦ"), KeymapRow(36, "jJ··"), KeymapRow(37, "kKĸ&"),
            KeymapRow(38, "lLłŁ"), KeymapRow(39, "ñÑ˜˝"), KeymapRow(40, "´¨{ˇ"), KeymapRow(43, "çÇ}˘"),
            KeymapRow(86, "<>|¦"),
            KeymapRow(44, "zZ«<"), KeymapRow(45, "xX»>"), KeymapRow(46, "cC¢©"), KeymapRow(47, "vV„‚"),
            KeymapRow(48, "bB“‘"), KeymapRow(49, "nN”’"), KeymapRow(50, "mMµº"), KeymapRow(51, ",;•×"),
            KeymapRow(52, ".:·÷"), KeymapRow(53, "-_··"),
            KeymapRow(57, " ···"),
        ]
    )
}
