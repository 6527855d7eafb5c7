#!/usr/bin/python3
"""Write a umockdev read script of HID POS input reports, Honeywell layout (report 2: byte
count, AIM identifier, 56 data bytes, 2 Code ID bytes, Decode Data Continued), one scan per
argument as AIM:DATA (`\\x1d` in DATA for GS). Scans longer than 56 bytes are split over
several reports with the Continued bit set on all but the last, as the firmware sends them.

    Tests/Tools/hidpos-script.py ']E0:5901234123457' > scan.script
"""
import sys


def escape(data):
    out = []
    for byte in data:
        if byte == 0x5E:
            out.append("^`")
        elif byte < 32:
            out.append("^" + chr(byte + 64))
        else:
            out.append(chr(byte))
    return "".join(out)


lines = ["# HID POS reports (Tests/Tools/hidpos-script.py)"]
for argument in sys.argv[1:]:
    aim, text = argument.split(":", 1)
    data = text.encode().decode("unicode_escape").encode("latin-1")
    chunks = [data[i:i + 56] for i in range(0, len(data), 56)] or [b""]
    for index, chunk in enumerate(chunks):
        continued = 1 if index < len(chunks) - 1 else 0
        report = bytes([0x02, len(chunk)]) + aim.encode() + chunk + bytes(56 - len(chunk)) + bytes([0x64, 0, continued])
        lines.append("r 200 " + escape(report))
print("\n".join(lines))
