#!/usr/bin/env bash
# Checks udev/70-scanbridge.rules: `udevadm verify` where the installed udev has it
# (systemd >= 254), else a syntax check of our own; and, always, that the rules name exactly
# the USB vendors scanbridge supports (FACTS.md "Vendors"), each in its class.
# Usage: packaging/check-udev-rules.sh [RULES_FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
rules=${1:-udev/70-scanbridge.rules}
[ -f "$rules" ] || { echo "check-udev-rules: no $rules" >&2; exit 2; }

if command -v udevadm >/dev/null 2>&1 && udevadm verify --help >/dev/null 2>&1; then
    echo "check-udev-rules: udevadm verify ($(udevadm --version))"
    udevadm verify --resolve-names=never "$rules"
else
    echo "check-udev-rules: no 'udevadm verify' here (needs systemd >= 254); built-in syntax check"
fi

python3 - "$rules" <<'PY'
import re, sys

path = sys.argv[1]
scanners = {"05e0": "Zebra/Symbol", "0c2e": "Honeywell", "05f9": "Datalogic", "1eab": "Newland"}
bridges = {"0403": "FTDI", "10c4": "Silicon Labs CP210x", "1a86": "WCH CH340", "067b": "Prolific PL2303"}

# udev(7): keys, whether they take an {attribute}, and the operators each allows.
MATCH = {"==", "!="}
ASSIGN = {"=", "+=", "-=", ":="}
KEYS = {
    "ACTION": (False, MATCH), "DEVPATH": (False, MATCH), "KERNEL": (False, MATCH),
    "KERNELS": (False, MATCH), "SUBSYSTEM": (False, MATCH), "SUBSYSTEMS": (False, MATCH),
    "DRIVER": (False, MATCH), "DRIVERS": (False, MATCH), "TAGS": (False, MATCH),
    "RESULT": (False, MATCH), "PROGRAM": (False, MATCH), "ATTRS": (True, MATCH),
    "CONST": (True, MATCH), "TEST": (True, MATCH), "ATTR": (True, MATCH | ASSIGN),
    "SYSCTL": (True, MATCH | ASSIGN), "ENV": (True, MATCH | ASSIGN),
    "TAG": (False, MATCH | ASSIGN), "NAME": (False, MATCH | ASSIGN),
    "SYMLINK": (False, MATCH | ASSIGN), "OWNER": (False, ASSIGN), "GROUP": (False, ASSIGN),
    "MODE": (False, ASSIGN), "SECLABEL": (True, ASSIGN), "RUN": (True, ASSIGN),
    "IMPORT": (True, ASSIGN), "OPTIONS": (False, ASSIGN), "LABEL": (False, {"="}),
    "GOTO": (False, {"="}),
}
PAIR = re.compile(r'\s*([A-Z]+)(\{([^{}]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')

errors = []
vendors = {}          # vendor id -> class it is assigned
labels, gotos = set(), []
for number, line in enumerate(open(path, encoding="utf-8"), 1):
    line = line.rstrip("\n")
    where = f"{path}:{number}"
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    if line.endswith("\\"):
        errors.append(f"{where}: line continuation not used in this file")
        continue
    position, pairs = 0, []
    while position < len(line):
        match = PAIR.match(line, position)
        if not match:
            errors.append(f"{where}: cannot parse from column {position + 1}: {line[position:]!r}")
            break
        key, _, attribute, operator, value = match.groups()
        pairs.append((key, attribute, operator, value))
        position = match.end()
        if position < len(line):
            if line[position] != ",":
                errors.append(f"{where}: expected ',' at column {position + 1}")
                break
            position += 1
    for key, attribute, operator, value in pairs:
        if key not in KEYS:
            errors.append(f"{where}: unknown key {key}")
            continue
        takes_attribute, operators = KEYS[key]
        if takes_attribute != (attribute is not None) and key not in ("IMPORT", "RUN"):
            errors.append(f"{where}: {key} {'needs' if takes_attribute else 'takes no'} {{attribute}}")
        if operator not in operators:
            errors.append(f"{where}: {key} does not take {operator}")
        if key == "MODE" and not re.fullmatch(r"0[0-7]{3}", value):
            errors.append(f"{where}: MODE {value!r} is not an octal mode")
        if key == "LABEL":
            labels.add(value)
        if key == "GOTO":
            gotos.append((where, value))
    # Vendors: ATTRS{idVendor} matches and the class they set.
    ids = [v for k, a, o, v in pairs if k == "ATTRS" and a == "idVendor" and o == "=="]
    if ids:
        if not any(k == "SUBSYSTEMS" and v == "usb" for k, a, o, v in pairs):
            errors.append(f"{where}: an idVendor match must go with SUBSYSTEMS==\"usb\"")
        classes = [v for k, a, o, v in pairs if k == "ENV" and a == "SCANBRIDGE_CLASS" and o == "="]
        for vendor in ids:
            if not re.fullmatch(r"[0-9a-f]{4}", vendor):
                errors.append(f"{where}: vendor id {vendor!r} is not 4 lower-case hex digits")
            vendors[vendor] = classes[0] if classes else None

for where, label in gotos:
    if label not in labels:
        errors.append(f"{where}: GOTO to missing LABEL {label!r}")

expected = {**{v: "scanner" for v in scanners}, **{v: "reader" for v in bridges}}
for vendor, kind in sorted(expected.items()):
    if vendor not in vendors:
        errors.append(f"{path}: vendor {vendor} ({scanners.get(vendor) or bridges.get(vendor)}) has no rule")
    elif vendors[vendor] != kind:
        errors.append(f"{path}: vendor {vendor} is classed {vendors[vendor]!r}, expected {kind!r}")
for vendor in sorted(set(vendors) - set(expected)):
    errors.append(f"{path}: vendor {vendor} is not in the supported list")

# The profiles and the rules must never disagree: every USB vendor a profile matches (built-in
# profiles in ProfileCatalog.swift, shipped ones under packaging/profiles/) needs its rule.
import glob, os
root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
profile_sources = [os.path.join(root, "Sources/ScanBridgeAgent/Configuration/ProfileCatalog.swift")]
profile_sources += glob.glob(os.path.join(root, "packaging/profiles/*.json"))
for source in profile_sources:
    if not os.path.exists(source):
        continue
    source_text = open(source, encoding="utf-8").read()
    # JSON profiles, and the Swift table of USB scanner families: ("zebra-usb", "05e0", …).
    matched = re.findall(r'"vendor_id"\s*:\s*"([0-9A-Fa-f]{4})"', source_text)
    matched += re.findall(r'\(\s*"[a-z0-9-]+-usb",\s*"([0-9A-Fa-f]{4})"', source_text)
    for vendor in matched:
        if vendor.lower() not in vendors:
            errors.append(f"{source}: a profile matches vendor {vendor}, which no udev rule gives group scanbridge")

text = open(path, encoding="utf-8").read()
for needed in ('GROUP="scanbridge"', 'TAG+="scanbridge"', 'ENV{LIBINPUT_IGNORE_DEVICE}="1"',
               'ENV{ID_MM_DEVICE_IGNORE}="1"', 'SUBSYSTEM=="hidraw"', 'ENV{DEVTYPE}=="usb_device"'):
    if needed not in text:
        errors.append(f"{path}: no {needed}")

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(f"check-udev-rules: {path}: syntax ok; vendors ok "
      f"({len(scanners)} scanner, {len(bridges)} USB-serial bridge: {', '.join(sorted(vendors))})")
PY
