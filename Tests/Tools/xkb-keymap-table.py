#!/usr/bin/env python3
"""Generate Tests/Fixtures/xkb-keymaps.json from Debian's xkb-data.

A second, mechanical source for the hand-written keymap tables in
Sources/ScanBridgePayloads/Keyboard/Keymap+*.swift. For each layout it reads
/usr/share/X11/xkb/symbols/<file>(basic), follows `include` statements (per-level
override merge: a later NoSymbol does not clear an earlier level), adds <SPCE> from
pc(pc105), keeps only the main typing block, converts xkb key names to evdev codes
(xkb keycode - 8, names from keycodes/evdev) and keysyms to printable ASCII
(0x20-0x7E; anything else, dead keys included, becomes 0). Levels 3-4 count only
when the layout includes a level-3 chooser (`level3(...)`, i.e. AltGr); us(basic) has none.

Output: {"us": {"<evdev code>": [base, shift, altgr, shiftaltgr], ...}, ...}
Usage: python3 Tests/Tools/xkb-keymap-table.py [xkb root] > fixture (or writes the fixture path).
"""
import json
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/X11/xkb"
LAYOUTS = {"us": "us", "uk": "gb", "de": "de", "fr": "fr", "es": "es"}
MAIN_BLOCK = (
    ["TLDE", "BKSL", "LSGT", "SPCE"]
    + ["AE%02d" % i for i in range(1, 13)]
    + ["AD%02d" % i for i in range(1, 13)]
    + ["AC%02d" % i for i in range(1, 12)]
    + ["AB%02d" % i for i in range(1, 11)]
)

# Keysym names of printable ASCII (X11 keysymdef.h: keysym == code point for 0x20-0x7E).
ASCII_NAMES = {
    "space": " ", "exclam": "!", "quotedbl": '"', "numbersign": "#", "dollar": "$",
    "percent": "%", "ampersand": "&", "apostrophe": "'", "quoteright": "'",
    "parenleft": "(", "parenright": ")", "asterisk": "*", "plus": "+", "comma": ",",
    "minus": "-", "period": ".", "slash": "/", "colon": ":", "semicolon": ";",
    "less": "<", "equal": "=", "greater": ">", "question": "?", "at": "@",
    "bracketleft": "[", "backslash": "\\", "bracketright": "]", "asciicircum": "^",
    "underscore": "_", "grave": "`", "quoteleft": "`", "braceleft": "{", "bar": "|",
    "braceright": "}", "asciitilde": "~",
}


def keysym_to_ascii(sym):
    if len(sym) == 1 and 0x20 <= ord(sym) <= 0x7E:
        return ord(sym)  # letters and digits are their own names
    if sym in ASCII_NAMES:
        return ord(ASCII_NAMES[sym])
    m = re.fullmatch(r"U([0-9A-Fa-f]{4,6})", sym) or re.fullmatch(r"0x0*([0-9A-Fa-f]{1,2})", sym)
    if m and 0x20 <= int(m.group(1), 16) <= 0x7E:
        return int(m.group(1), 16)
    return 0


def read_keycodes():
    codes = {}
    aliases = {}
    with open(os.path.join(ROOT, "keycodes", "evdev")) as f:
        for line in f:
            line = line.split("//")[0]
            m = re.search(r"^\s*<(\w+)>\s*=\s*(\d+)\s*;", line)
            if m:
                codes.setdefault(m.group(1), int(m.group(2)))
            m = re.search(r"alias\s*<(\w+)>\s*=\s*<(\w+)>", line)
            if m:
                aliases[m.group(1)] = m.group(2)
    return codes, aliases


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def sections(file_name):
    with open(os.path.join(ROOT, "symbols", file_name)) as f:
        text = strip_comments(f.read())
    result = {}
    default = None
    for m in re.finditer(r'((?:\w+\s+)*)xkb_symbols\s+"([^"]+)"\s*\{', text):
        # body: balanced braces from the opening one
        start = m.end()
        depth = 1
        i = start
        while depth:
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
            i += 1
        result[m.group(2)] = text[start : i - 1]
        if "default" in m.group(1).split() or default is None:
            default = m.group(2)
    return result, default


def resolve(spec, keys, aliases):
    """Apply `file(section)` onto keys (dict name -> 4 levels), in file order."""
    m = re.fullmatch(r"(\w+)(?:\((\w[\w-]*)\))?", spec.strip())
    file_name, section = m.group(1), m.group(2)
    secs, default = sections(file_name)
    body = secs[section or default]
    pos = 0
    stmt = re.compile(r'include\s+"([^"]+)"|key\s+<(\w+)>\s*\{(.*?)\}\s*;', re.S)
    for s in stmt.finditer(body, pos):
        if s.group(1):
            if s.group(1).startswith("level3("):
                keys.setdefault("__level3__", True)  # some level-3 chooser (AltGr) exists
            for part in re.split(r"\+", s.group(1)):
                resolve(part, keys, aliases)
            continue
        name = aliases.get(s.group(2), s.group(2))
        inner = s.group(3)
        groups = re.findall(r"(?<!\w)\[([^\]]*)\]", inner)  # skip type[Group1]=
        if not groups:
            continue
        syms = [x.strip() for x in groups[0].split(",")]
        levels = keys.setdefault(name, [None, None, None, None])
        for lvl, sym in enumerate(syms[:4]):
            if sym and sym != "NoSymbol":
                levels[lvl] = sym
    return keys


def main():
    codes, aliases = read_keycodes()
    out = {}
    for keymap, file_name in LAYOUTS.items():
        keys = {}
        resolve("pc(pc105)", keys, aliases)
        resolve(file_name + "(basic)", keys, aliases)
        table = {}
        for name in MAIN_BLOCK:
            if name not in keys:
                continue
            row = [keysym_to_ascii(s) if s else 0 for s in keys[name]]
            if not keys.get("__level3__"):
                row[2] = row[3] = 0  # no AltGr in this layout: levels 3 and 4 cannot be reached
            if any(row):
                table[str(codes[name] - 8)] = row
        out[keymap] = dict(sorted(table.items(), key=lambda kv: int(kv[0])))
    text = json.dumps(out, indent=1, sort_keys=False) + "\n"
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "Fixtures", "xkb-keymaps.json")
    with open(path, "w") as f:
        f.write(text)
    print(os.path.normpath(path))


if __name__ == "__main__":
    main()
