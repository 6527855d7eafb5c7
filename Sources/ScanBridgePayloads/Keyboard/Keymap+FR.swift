extension Keymap {
    /// French AZERTY, xkb `fr(basic)` (= `latin` + French changes + AltGr) on a pc105 keyboard: digits on
    /// the Shift level of the top row, A/Q and Z/W swapped, M right of L, `@` on AltGr+à (0), `#{[|`\^`
    /// on AltGr+3…9, `]` on AltGr+) and `}` on AltGr+=.
    ///
    /// Types every printable ASCII character with one keystroke (xkb puts `` ` `` and `^` on AltGr+7 and
    /// AltGr+9 as plain characters; the ^ key right of P is a dead key).
    public static let fr = Keymap(
        name: "fr",
        rows: [
            KeymapRow(41, "²~¬¬"),
            KeymapRow(2, "&1¹¡"), KeymapRow(3, "é2~⅛"), KeymapRow(4, "\"3#£"), KeymapRow(5, "'4{$"),
            KeymapRow(6, "(5[⅜"), KeymapRow(7, "-6|⅝"), KeymapRow(8, "è7`⅞"), KeymapRow(9, "_8\\™"),
            KeymapRow(10, "ç9^±"), KeymapRow(11, "à0@°"), KeymapRow(12, ")°]¿"), KeymapRow(13, "=+}˛"),
            KeymapRow(16, "aAæÆ"), KeymapRow(17, "zZ«<"), KeymapRow(18, "eE€¢"), KeymapRow(19, "rR¶®"),
            KeymapRow(20, "tTŧŦ"), KeymapRow(21, "yY←¥"), KeymapRow(22, "uU↓↑"), KeymapRow(23, "iI→ı"),
            KeymapRow(24, "oOøØ"), KeymapRow(25, "pPþÞ"), KeymapRow(26, "ˆ¨¨˚"), KeymapRow(27, "$£¤¯"),
            KeymapRow(30, "qQ@Ω"), KeymapRow(31, "sSßẞ"), KeymapRow(32, "dDðÐ"), KeymapRow(33, "fFđª"),
            KeymapRow(34, "gGŋŊ"), KeymapRow(35, "hHħĦ"), KeymapRow(36, "jJ··"), KeymapRow(37, "kKĸ&"),
            KeymapRow(38, "lLłŁ"), KeymapRow(39, "mMµº"), KeymapRow(40, "ù%ˆˇ"), KeymapRow(43, "*µˋ˘"),
            KeymapRow(86, "<>|¦"),
            KeymapRow(44, "wWłŁ"), KeymapRow(45, "xX»>"), KeymapRow(46, "cC¢©"), KeymapRow(47, "vV„‚"),
            KeymapRow(48, "bB“‘"), KeymapRow(49, "nN”’"), KeymapRow(50, ",?´˝"), KeymapRow(51, ";.•×"),
            KeymapRow(52, ":/·÷"), KeymapRow(53, "!§··"),
            KeymapRow(57, " ···"),
        ]
    )
}
