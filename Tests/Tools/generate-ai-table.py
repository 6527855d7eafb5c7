#!/usr/bin/env python3
"""Generate the Swift Application Identifier table from the GS1 Barcode Syntax Dictionary.

Source: https://github.com/gs1/gs1-syntax-dictionary (Apache-2.0), file
`gs1-syntax-dictionary.txt`, plus the *data* lists (ISO 3166, ISO 4217, package
types) that the dictionary's reference linters carry in `src/lint_*.c`.  Only
data is read from those files; the linter logic is implemented independently in
`Sources/ScanBridgePayloads/GS1/GS1Linter.swift`.

Usage (from the package root):

    git clone https://github.com/gs1/gs1-syntax-dictionary /tmp/gs1sd
    Tests/Tools/generate-ai-table.py --git-dir /tmp/gs1sd/.git --rev 2026-01-27

It rewrites:
    Sources/ScanBridgePayloads/GS1/ApplicationIdentifierTable.swift
    Sources/ScanBridgePayloads/GS1/GS1CodeLists.swift
"""

import argparse
import os
import re
import subprocess
import sys

LINTERS = {
    "csum": "checkDigit",
    "csumalpha": "checkCharacterPair",
    "gcppos1": "companyPrefixAtStart",
    "gcppos2": "companyPrefixAfterFirst",
    "yymmd0": "dateYYMMD0",
    "yymmdd": "dateYYMMDD",
    "yyyymmd0": "dateYYYYMMD0",
    "yyyymmdd": "dateYYYYMMDD",
    "hhmi": "timeHHMI",
    "hh": "hour",
    "mi": "minute",
    "ss": "second",
    "iso4217": "currencyCode",
    "iso3166": "countryCode",
    "iso3166999": "countryCodeOr999",
    "iso3166alpha2": "countryCodeAlpha2",
    "yesno": "yesNo",
    "zero": "zero",
    "nonzero": "nonZero",
    "winding": "windingDirection",
    "pieceoftotal": "pieceOfTotal",
    "hyphen": "hyphens",
    "latitude": "latitude",
    "longitude": "longitude",
    "pcenc": "percentEncoding",
    "iso5218": "biologicalSex",
    "mediatype": "mediaType",
    "posinseqslash": "positionInSequence",
    "nozeroprefix": "noZeroPrefix",
    "hasnondigit": "hasNonDigit",
    "importeridx": "importerIndex",
    "packagetype": "packageType",
    "iban": "iban",
    "couponcode": "couponCode",
    "couponposoffer": "couponPositiveOffer",
}

def git_show(git_dir, rev, path):
    return subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{rev}:{path}"],
        check=True, capture_output=True, text=True,
    ).stdout


def swift_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_component(token):
    """`N6,csum` / `[N..12]` / `[N3],iso3166` -> (charset, min, max, optional, linters)."""
    optional = False
    parts = token.split(",")
    head = parts[0]
    if head.startswith("["):
        optional = True
        head = head.strip("[]")
    m = re.fullmatch(r"([NXYZ])(\.\.)?(\d+)", head)
    if not m:
        sys.exit(f"unparseable component {token!r}")
    charset, variable, length = m.group(1), m.group(2), int(m.group(3))
    minimum = 1 if variable else length
    linters = []
    for name in parts[1:]:
        if name not in LINTERS:
            sys.exit(f"unknown linter {name!r}: implement it in GS1Linter.swift and add it here")
        linters.append(LINTERS[name])
    return charset, minimum, length, optional, linters


def parse_dictionary(text):
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        body, _, title = line.partition("#")
        title = title.strip()
        tokens = body.split()
        ais = tokens.pop(0)
        flags = ""
        if tokens and re.fullmatch(r"[*!?\"$%&'()+,\-./:;<=>@\[\\\]^_`{|}~]+", tokens[0]):
            flags = tokens.pop(0)
        components, attributes = [], []
        for token in tokens:
            if re.match(r"\[?[NXYZ](\.\.)?\d", token):
                components.append(parse_component(token))
            else:
                attributes.append(token)
        requires, excludes, dlpkey, qualifiers = [], [], False, []
        for attribute in attributes:
            key, _, value = attribute.partition("=")
            if key == "req":
                requires.append([alt.split("+") for alt in value.split(",")])
            elif key == "ex":
                excludes.extend(value.split(","))
            elif key == "dlpkey":
                dlpkey = True
                if value:
                    qualifiers = [seq.split(",") for seq in value.split("|")]
            else:
                sys.exit(f"unknown attribute {attribute!r}")
        if "-" in ais:
            first, last = ais.split("-")
            width = len(first)
            numbers = [str(n).zfill(width) for n in range(int(first), int(last) + 1)]
        else:
            numbers = [ais]
        for ai in numbers:
            entries.append(dict(ai=ai, flags=flags, components=components, requires=requires,
                                excludes=excludes, dlpkey=dlpkey, qualifiers=qualifiers, title=title))
    return entries


def swift_list(items):
    return "[" + ", ".join(items) + "]"


def table_line(e):
    """One AI as a line of the compact table `ApplicationIdentifierDefinition.parse(table:)` reads:
    ai|title|flags|components|requires|excludes|qualifiers. Flags: P predefined length,
    D Digital Link attribute, K Digital Link primary key. A component is `?` (optional), the
    character set letter, `min-max`, then `:linter,linter`; components are `;`-separated.
    Requires: rules `;`, alternatives `/`, AIs `+`. Excludes: `,`. Qualifiers: sequences `;`,
    AIs `,`. (A Swift array of 541 struct literals took 11.7 GB to compile with optimisation;
    a string literal parsed once at first use takes nothing.)"""
    for text in [e["ai"], e["title"]]:
        assert "|" not in text and "\n" not in text and '"""' not in text, text
    flags = ("P" if "*" in e["flags"] else "") + ("D" if "?" in e["flags"] else "") + ("K" if e["dlpkey"] else "")
    comps = []
    for charset, minimum, maximum, optional, linters in e["components"]:
        assert charset in "NXYZ", charset
        comps.append(("?" if optional else "") + f"{charset}{minimum}-{maximum}" + (":" + ",".join(linters) if linters else ""))
    requires = ";".join("/".join("+".join(alt) for alt in req) for req in e["requires"])
    qualifiers = ";".join(",".join(seq) for seq in e["qualifiers"])
    return "|".join([e["ai"], e["title"], flags, ";".join(comps), requires, ",".join(e["excludes"]), qualifiers])


def render_table(entries, rev):
    out = [HEADER.format(rev=rev, what="Application Identifier table"),
           "extension ApplicationIdentifierDefinition {",
           f"    /// Every AI of the GS1 Barcode Syntax Dictionary, release {rev} ({len(entries)} AIs), one per",
           "    /// line: ai|title|flags|components|requires|excludes|qualifiers (see `parse(table:)`).",
           '    static let table = """']
    for e in entries:
        out.append("        " + table_line(e))
    out.append('        """')
    out.append("}")
    return "\n".join(out) + "\n"


def numeric_list(c_source, array_name):
    """Codes from the range comments (`// 000-063: 008 012 050-052`) of a bitfield table."""
    block = c_source.split(f"{array_name}[] = {{", 1)[1].split("#else", 1)[0]
    codes = []
    for comment in re.findall(r"//\s*\d{3}-\d{3}:([^\n]*)", block):
        for token in comment.split():
            if "-" in token:
                a, b = token.split("-")
                codes.extend(range(int(a), int(b) + 1))
            else:
                codes.append(int(token))
    return sorted(set(codes))


def alpha2_list(c_source):
    block = c_source.split("iso3166alpha2[] = {", 1)[1].split("#else", 1)[0]

    def index(code):
        return (ord(code[0]) - 65) * 26 + ord(code[1]) - 65

    codes = []
    for comment in re.findall(r"//\s*[A-Z]{2}-[A-Z]{2}:([^\n]*)", block):
        for token in comment.split():
            if "-" in token:
                a, b = token.split("-")
                for i in range(index(a), index(b) + 1):
                    codes.append(chr(65 + i // 26) + chr(65 + i % 26))
            else:
                codes.append(token)
    return sorted(set(codes))


def package_types(c_source):
    block = c_source.split("packagetypes[][4] = {", 1)[1].split("};", 1)[0]
    return sorted(set(re.findall(r'"([0-9A-Z]+)"', block)))


def render_code_lists(rev, currencies, countries, alpha2, packages):
    def rows(values, per_line=16):
        lines = []
        for i in range(0, len(values), per_line):
            lines.append("        " + ", ".join(values[i:i + per_line]) + ",")
        return "\n".join(lines)

    return (HEADER.format(rev=rev, what="code lists used by the linters") +
            "enum GS1CodeLists {\n"
            "    /// ISO 4217 numeric currency codes.\n"
            "    static let currencies: Set<Int> = [\n" + rows([str(c) for c in currencies]) + "\n    ]\n\n"
            "    /// ISO 3166-1 numeric country codes.\n"
            "    static let countries: Set<Int> = [\n" + rows([str(c) for c in countries]) + "\n    ]\n\n"
            "    /// ISO 3166-1 alpha-2 country codes.\n"
            "    static let countriesAlpha2: Set<String> = [\n" +
            rows([swift_string(c) for c in alpha2], 12) + "\n    ]\n\n"
            "    /// PackageTypeCode values (AI 7041).\n"
            "    static let packageTypes: Set<String> = [\n" +
            rows([swift_string(c) for c in packages], 12) + "\n    ]\n"
            "}\n")


HEADER = """// swift-format-ignore-file
// GENERATED by Tests/Tools/generate-ai-table.py — do not edit by hand.
//
// Source: GS1 Barcode Syntax Dictionary, release {rev}
//         https://github.com/gs1/gs1-syntax-dictionary (Apache License 2.0)
//         Copyright (c) 2020-2021 BWIPP project, (c) 2020-2021 Zint Project, (c) 2021-2025 GS1 AISBL.
// This file holds the {what}, transcribed as data.

"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--git-dir", required=True, help="git directory of gs1/gs1-syntax-dictionary")
    parser.add_argument("--rev", required=True, help="release tag, e.g. 2026-01-27")
    parser.add_argument("--out", default="Sources/ScanBridgePayloads/GS1")
    args = parser.parse_args()

    dictionary = git_show(args.git_dir, args.rev, "gs1-syntax-dictionary.txt")
    entries = parse_dictionary(dictionary)
    with open(os.path.join(args.out, "ApplicationIdentifierTable.swift"), "w") as f:
        f.write(render_table(entries, args.rev))

    currencies = numeric_list(git_show(args.git_dir, args.rev, "src/lint_iso4217.c"), "iso4217")
    countries = numeric_list(git_show(args.git_dir, args.rev, "src/lint_iso3166.c"), "iso3166")
    alpha2 = alpha2_list(git_show(args.git_dir, args.rev, "src/lint_iso3166alpha2.c"))
    packages = package_types(git_show(args.git_dir, args.rev, "src/lint_packagetype.c"))
    with open(os.path.join(args.out, "GS1CodeLists.swift"), "w") as f:
        f.write(render_code_lists(args.rev, currencies, countries, alpha2, packages))
    print(f"{len(entries)} AIs, {len(currencies)} currencies, {len(countries)} countries, "
          f"{len(alpha2)} alpha-2 codes, {len(packages)} package types")


if __name__ == "__main__":
    main()
