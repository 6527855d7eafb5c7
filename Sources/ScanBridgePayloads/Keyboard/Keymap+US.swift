extension Keymap {
    /// English (US), xkb `us(basic)` on a pc105 keyboard. It has no AltGr level.
    ///
    /// Types every printable ASCII character with one keystroke.
    public static let us = Keymap(
        name: "us",
        rows: [
            KeymapRow(41, "`~··"),
            KeymapRow(2, "1!··"), KeymapRow(3, "2@··"), KeymapRow(4, "3#··"), KeymapRow(5, "4$··"),
            KeymapRow(6, "5%··"), KeymapRow(7, "6^··"), KeymapRow(8, "7&··"), KeymapRow(9, "8*··"),
            KeymapRow(10, "9(··"), KeymapRow(11, "0)··"), KeymapRow(12, "-_··"), KeymapRow(13, "=+··"),
            KeymapRow(16, "qQ··"), KeymapRow(17, "wW··"), KeymapRow(18, "eE··"), KeymapRow(19, "rR··"),
            KeymapRow(20, "tT··"), KeymapRow(21, "yY··"), KeymapRow(22, "uU··"), KeymapRow(23, "iI··"),
            KeymapRow(24, "oO··"), KeymapRow(25, "pP··"), KeymapRow(26, "[{··"), KeymapRow(27, "]}··"),
            KeymapRow(30, "aA··"), KeymapRow(31, "sS··"), KeymapRow(32, "dD··"), KeymapRow(33, "fF··"),
            KeymapRow(34, "gG··"), KeymapRow(35, "hH··"), KeymapRow(36, "jJ··"), KeymapRow(37, "kK··"),
            KeymapRow(38, "lL··"), KeymapRow(39, ";:··"), KeymapRow(40, "'\"··"), KeymapRow(43, "\\|··"),
            KeymapRow(86, "<>··"),
            KeymapRow(44, "zZ··"), KeymapRow(45, "xX··"), KeymapRow(46, "cC··"), KeymapRow(47, "vV··"),
            KeymapRow(48, "bB··"), KeymapRow(49, "nN··"), KeymapRow(50, "mM··"), KeymapRow(51, ",<··"),
            KeymapRow(52, ".>··"), KeymapRow(53, "/?··"),
            KeymapRow(57, " ···"),
        ]
    )
}
