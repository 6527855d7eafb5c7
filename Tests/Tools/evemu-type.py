#!/usr/bin/python3
"""Write the evemu events a keyboard-wedge scanner sends to type TEXT on LAYOUT.

The key positions come from Tests/Fixtures/xkb-keymaps.json (generated from Debian's xkb-data,
not from scanbridge's own tables), so a test replaying the file checks the agent's keymaps
against a second source. Control characters: GS (0x1D) as Ctrl+] (KEY_RIGHTBRACE), the way
most wedge scanners send it; \\r as Enter. Every key event is followed by SYN_REPORT, and key
events are 2 ms apart, like a scanner set to its fastest keyboard rate.

    Tests/Tools/evemu-type.py fr $']C1010361234567890410ABC\\x1d17271231\\r' > scan.evemu
"""
import json
import os
import sys

KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_RIGHTALT, KEY_ENTER, KEY_RIGHTBRACE = 29, 42, 100, 28, 27


def positions(layout):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "xkb-keymaps.json")
    table = json.load(open(root))[layout]
    found = {}
    # Prefer the plain level, then Shift, then AltGr, as a scanner's keyboard emulation does.
    for level in range(4):
        for code, levels in sorted(table.items(), key=lambda item: int(item[0])):
            byte = levels[level]
            if byte and byte not in found:
                found[byte] = (int(code), level)
    return found


def main():
    layout, text = sys.argv[1], sys.argv[2]
    keys = positions(layout)
    time = 1.0
    lines = ["# evemu events: %r typed on the %s layout (Tests/Tools/evemu-type.py)" % (text, layout)]

    def emit(code, value):
        nonlocal time
        lines.append("E: %d.%06d 0001 %04x %04d" % (int(time), round((time % 1) * 1e6), code, value))
        lines.append("E: %d.%06d 0000 0000 0000" % (int(time), round((time % 1) * 1e6)))
        time += 0.002

    for char in text:
        byte = ord(char)
        if byte == 0x1D:
            emit(KEY_LEFTCTRL, 1), emit(KEY_RIGHTBRACE, 1), emit(KEY_RIGHTBRACE, 0), emit(KEY_LEFTCTRL, 0)
            continue
        if byte == 0x0D:
            emit(KEY_ENTER, 1), emit(KEY_ENTER, 0)
            continue
        if byte not in keys:
            sys.exit("%r cannot be typed on %s" % (char, layout))
        code, level = keys[byte]
        modifiers = ([KEY_LEFTSHIFT] if level in (1, 3) else []) + ([KEY_RIGHTALT] if level in (2, 3) else [])
        for modifier in modifiers:
            emit(modifier, 1)
        emit(code, 1), emit(code, 0)
        for modifier in reversed(modifiers):
            emit(modifier, 0)
    print("\n".join(lines))


main()
