#!/usr/bin/env bash
# Builds the two Debian packages from one release build linked with --static-swift-stdlib:
#   scanbridge        the agent (/usr/bin/scanbridge), the systemd unit, udev rules,
#                     sysusers/tmpfiles snippets, the default configuration, the built-in
#                     profiles, man pages and shell completions;
#   scanbridge-tools  /usr/bin/scanbridge-tools (receive, verify, demo, simulate, bench, typed
#                     as `scanbridge receive …`) and those commands' man pages; it depends on
#                     scanbridge of the same version.
# Prints the two .deb paths, the agent's first, as its last two lines.
#
# Usage: packaging/build-deb.sh [--version V] [--out DIR] [--skip-build]
#   --version V   package version (default: `git describe --tags --always`, else
#                 0.1.0~git<sha>); "-1" is appended when V has no Debian revision
#   --out DIR     where the .debs go (default: dist)
#   --skip-build  package the binaries already in the scratch path
# Environment: SCANBRIDGE_PKG_SCRATCH (default .build-release), SCANBRIDGE_PKG_JOBS (default 1),
#   SCANBRIDGE_MAINTAINER (default: the author of HEAD), SCANBRIDGE_PKG_MAN (tool|plugin).
set -euo pipefail
export LC_ALL=C.UTF-8
umask 022

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
version=""
out=dist
skip_build=0
while [ $# -gt 0 ]; do
    case "$1" in
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --skip-build) skip_build=1; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

scratch=${SCANBRIDGE_PKG_SCRATCH:-.build-release}
jobs=${SCANBRIDGE_PKG_JOBS:-1}
man_mode=${SCANBRIDGE_PKG_MAN:-tool}
package=scanbridge
tools_package=scanbridge-tools
arch=$(dpkg --print-architecture)
log() { printf 'build-deb: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in dpkg-deb gzip python3 strip objcopy readelf; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y dpkg-dev gzip python3 binutils)"
done

# --- Version -----------------------------------------------------------------------------
sha=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
if [ -z "$version" ]; then
    described=$(git describe --tags --always 2>/dev/null || true)
    # Without a tag, --always gives the bare commit id, which is no version.
    if [ -n "$described" ] && [ "$(git rev-parse "$described^{commit}" 2>/dev/null)" = "$(git rev-parse HEAD)" ] \
        && [[ "$described" =~ ^[0-9a-f]+$ ]]; then
        described=""
    fi
    described=${described#v}
    if [[ "$described" =~ ^[0-9] ]]; then
        version=$(printf '%s' "$described" | sed -E 's/-([0-9]+)-g([0-9a-f]+)$/+git\1.\2/')
    else
        version="0.1.0~git$sha"
    fi
fi
case "$version" in *-*) ;; *) version="$version-1" ;; esac
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~:-]*$ ]] || die "not a Debian version: $version"
if [ -n "$(git status --porcelain --untracked-files=no -- Sources Package.swift 2>/dev/null)" ]; then
    log "warning: Sources/ or Package.swift have uncommitted changes; $version does not describe them"
fi
# Reproducible dates: the commit's, unless SOURCE_DATE_EPOCH is set.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${SCANBRIDGE_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || echo 'scanbridge maintainers <root@localhost>')}
log "packages $package and $tools_package $version ($arch), scratch path $scratch"

# --- Build ---------------------------------------------------------------------------------
# One scratch path for both products: the second build reuses every module the first made.
# Linked by the toolchain's lld (its default, gold, has no -z pack-relative-relocs) with two
# flags that take 6 MB off the agent's resident set (docs/performance.md, "Where the resident
# pages are"):
#   -z pack-relative-relocs  the ~133,000 relative relocations as DT_RELR (26 KB instead of the
#                            3.2 MB of .rela.dyn the loader reads at every start; glibc >= 2.36,
#                            which dt_relr_floor writes into Depends);
#   --no-export-dynamic      no dynamic symbol table for every public Swift symbol (about 4.8 MB,
#                            with its hash table and relocations). The names a core dump is
#                            symbolised with are in the .debug file kept beside the packages.
lld=$(dirname "$(readlink -f "$(command -v swift)")")/ld.lld
[ -x "$lld" ] || die "no ld.lld beside swift ($lld): this toolchain cannot link the packaged binaries"
toolset=$(mktemp "${TMPDIR:-/tmp}/scanbridge-toolset-XXXXXX.json")
cat > "$toolset" <<EOT
{"schemaVersion": "1.0",
 "linker": {"path": "$lld", "extraCLIOptions": ["-z", "pack-relative-relocs", "--no-export-dynamic"]}}
EOT
trap 'rm -f "$toolset"' EXIT
build_flags=(-c release -j "$jobs" --static-swift-stdlib --scratch-path "$scratch" --toolset "$toolset")
if [ "$skip_build" = 0 ]; then
    started=$(date +%s)
    swift build "${build_flags[@]}" --product scanbridge >&2
    swift build "${build_flags[@]}" --product scanbridge-tools >&2
    log "release build took $(( $(date +%s) - started )) s"
fi
bin_dir=$(swift build "${build_flags[@]}" --show-bin-path)
binary="$bin_dir/scanbridge"
tools_binary="$bin_dir/scanbridge-tools"
[ -x "$binary" ] || die "no binary at $binary (run without --skip-build)"
[ -x "$tools_binary" ] || die "no binary at $tools_binary (run without --skip-build)"

# What each binary links, module by module with its package (for the copyright files). The
# agent's must hold none of the receiver's or the tools' modules: .ci/check-module-graph checks
# the manifests, this checks what was linked.
work=$(mktemp -d "${TMPDIR:-/tmp}/scanbridge-deb-XXXXXX")
trap 'rm -rf "$work" "$toolset"' EXIT
for product in scanbridge scanbridge-tools; do
    python3 packaging/linked-modules.py "$bin_dir" "$product" "$scratch/checkouts" "$repo" > "$work/$product.modules" \
        || die "cannot tell what $product links"
done
forbidden=$(awk '$2 ~ /^(ScanBridgeReceiver|ScanBridgeTools|Hummingbird|HummingbirdCore|PostgresNIO)$/ {print $2}' \
    "$work/scanbridge.modules" | paste -sd' ')
[ -z "$forbidden" ] || die "the agent's binary links $forbidden (see .ci/check-module-graph)"

# --- Stage ---------------------------------------------------------------------------------
root="$work/root"
doc="$root/usr/share/doc/$package"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/lib/udev/rules.d" \
    "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d" "$root/usr/lib/modules-load.d" \
    "$root/etc/scanbridge/profiles.d" "$root/usr/share/scanbridge/profiles" \
    "$root/usr/share/man/man1" "$root/usr/share/bash-completion/completions" \
    "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d" "$doc"

install -m 0755 "$binary" "$root/usr/bin/scanbridge"
# Debian ships stripped binaries (debug symbols would go to a -dbgsym package). The Swift
# metadata sections (swift5_*) are allocated sections: strip keeps them.
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/scanbridge"
sb="$root/usr/bin/scanbridge"
# The tool runs with an empty environment: SCANBRIDGE_* of the build machine stay out.
run_sb() { env -i PATH=/usr/bin:/bin HOME="$work" LC_ALL=C.UTF-8 "$sb" "$@"; }
run_sb --help >/dev/null || die "the built binary does not run"

tools_root="$work/tools-root"
tools_doc="$tools_root/usr/share/doc/$tools_package"
mkdir -p "$tools_root/DEBIAN" "$tools_root/usr/bin" "$tools_root/usr/share/man/man1" "$tools_doc"
install -m 0755 "$tools_binary" "$tools_root/usr/bin/scanbridge-tools"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$tools_root/usr/bin/scanbridge-tools"
sbt="$tools_root/usr/bin/scanbridge-tools"
# Installed side by side, the agent hands `scanbridge receive …` to the tools.
mkdir -p "$work/usr-bin"
cp "$sb" "$sbt" "$work/usr-bin/"
env -i PATH=/usr/bin:/bin HOME="$work" LC_ALL=C.UTF-8 "$work/usr-bin/scanbridge" receive --help 2>&1 \
    | grep -q '^USAGE: scanbridge receive' || die "the agent does not hand receive --help to scanbridge-tools"
rm -rf "$work/usr-bin"
log "sizes (stripped): scanbridge $(stat -c %s "$sb") bytes, scanbridge-tools $(stat -c %s "$sbt") bytes"

install -m 0644 packaging/scanbridge.service "$root/lib/systemd/system/scanbridge.service"
install -m 0644 udev/70-scanbridge.rules "$root/usr/lib/udev/rules.d/70-scanbridge.rules"
install -m 0644 packaging/sysusers.conf "$root/usr/lib/sysusers.d/scanbridge.conf"
install -m 0644 packaging/tmpfiles.conf "$root/usr/lib/tmpfiles.d/scanbridge.conf"
install -m 0644 packaging/modules-load.conf "$root/usr/lib/modules-load.d/scanbridge.conf"
install -m 0644 packaging/scanbridge.yaml "$root/etc/scanbridge/scanbridge.yaml"
install -m 0644 packaging/profiles.d-README.txt "$root/etc/scanbridge/profiles.d/README.txt"

# The default configuration must load: profiles list reads it (profile_dirs pointed at the
# staged, empty profiles.d; this binary's `run` would read the same keys).
sed "s#/etc/scanbridge/profiles.d#$root/etc/scanbridge/profiles.d#" packaging/scanbridge.yaml > "$work/check.yaml"
run_sb profiles list --config "$work/check.yaml" >/dev/null \
    || die "packaging/scanbridge.yaml is rejected by the built binary"
# Its commented examples must load too: every "# key:" / "#   …" line uncommented.
python3 - "$work/check.yaml" "$work/examples.yaml" <<'PY'
import re, sys
lines = []
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    if line == "devices: []":
        line = "devices:"
    elif re.match(r"# (agent_id|state_max_mb|retention_hours|upstream|status):", line) or line.startswith("#   "):
        line = line[2:]
    lines.append(line)
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
run_sb profiles list --config "$work/examples.yaml" >/dev/null \
    || die "packaging/scanbridge.yaml's commented examples, uncommented, are rejected by the built binary"

# --- Built-in profiles -------------------------------------------------------------------------
# Each built-in profile exported with `profiles show ID --json`; each file must pass
# `profiles check`, and loading the files in place of the built-ins must leave `profiles show`
# unchanged, so a file that differs from what the binary has fails the build.
empty="$work/no-profiles"
mkdir -p "$empty"
printf 'profile_dirs: [%s]\n' "$empty" > "$work/builtin.yaml"
run_sb profiles list --config "$work/builtin.yaml" > "$work/builtin.list"
ids=$(sed -n 's/^\([^ @]*\)@[0-9]*  .*(built-in:.*)$/\1/p' "$work/builtin.list" | sort -u)
[ -n "$ids" ] || die "no built-in profiles in: $(cat "$work/builtin.list")"
profiles="$root/usr/share/scanbridge/profiles"
for id in $ids; do
    run_sb profiles show "$id" --json --config "$work/builtin.yaml" | python3 -m json.tool --indent 2 --no-ensure-ascii > "$profiles/$id.json" \
        || die "profiles show $id --json failed"
done
exported=$(cd "$profiles" && ls *.json | sed 's/\.json$//' | sort)
[ "$exported" = "$ids" ] || die "exported profiles ($exported) differ from the binary's built-ins ($ids)"
run_sb profiles check "$profiles"/*.json >/dev/null || die "an exported profile fails profiles check"
printf 'profile_dirs: [%s]\n' "$profiles" > "$work/exported.yaml"
for id in $ids; do
    a=$(run_sb profiles show "$id" --config "$work/builtin.yaml" | sed 's/  ([^)]*)$//')
    b=$(run_sb profiles show "$id" --config "$work/exported.yaml" | sed 's/  ([^)]*)$//')
    [ "$a" = "$b" ] || die "exported profile $id differs from the built-in one:
$a
---
$b"
done
chmod 0644 "$profiles"/*.json

# --- Shell completions -------------------------------------------------------------------------
# bash-completion sources the file: no #! line (lintian bash-completion-with-hashbang).
run_sb --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/scanbridge"
run_sb --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_scanbridge"
run_sb --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/scanbridge.fish"

# --- Man pages -----------------------------------------------------------------------------------
# From the argument parser, with swift-argument-parser's generate-manual tool: the tool that
# its GenerateManual command plugin runs on each built executable. The agent's package gets
# scanbridge.1 and the pages of its own commands; the tools' package the pages of theirs
# (scanbridge.receive.1, scanbridge.receive.serve.1, …), made from scanbridge-tools, whose
# root command is also called scanbridge (the agent's stand-ins for them make empty pages). By default the tool is built
# from the resolved argument-parser checkout and run on the staged binary, because the plugin
# builds every product itself and `swift package` has no --static-swift-stdlib: in release it
# would relink the scratch path's binary against the shared Swift runtime. SCANBRIDGE_PKG_MAN=plugin
# runs the plugin instead, in debug, on the default .build (cheap where a debug build exists).
man_date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
man_out="$work/man"
tools_man_out="$work/man-tools"
mkdir -p "$man_out" "$tools_man_out"
if [ "$man_mode" = plugin ]; then
    swift package -j "$jobs" generate-manual --configuration debug --multi-page --date "$man_date" \
        > "$work/plugin.log" 2>&1 || die "GenerateManual plugin failed: $(tail -20 "$work/plugin.log")"
    # One directory per executable target.
    plugin_dir() {
        sed -n "s/^Generated manual in '\(.*\)'\$/\1/p" "$work/plugin.log" | sed 's#^file://##; s#/$##' \
            | awk -v t="$1" -F/ '$NF == t' | tail -1
    }
    agent_pages=$(plugin_dir scanbridge)
    tools_pages=$(plugin_dir scanbridge-tools)
    [ -f "$agent_pages/scanbridge.1" ] || die "GenerateManual plugin wrote no scanbridge.1 ($(tail -5 "$work/plugin.log"))"
    [ -n "$tools_pages" ] && ls "$tools_pages"/*.1 >/dev/null 2>&1 \
        || die "GenerateManual plugin wrote no pages for scanbridge-tools ($(tail -5 "$work/plugin.log"))"
    cp "$agent_pages"/*.1 "$man_out/"
    cp "$tools_pages"/*.1 "$tools_man_out/"
    log "man pages: GenerateManual plugin"
else
    parser="$scratch/checkouts/swift-argument-parser"
    [ -f "$parser/Package.swift" ] || die "no swift-argument-parser checkout in $scratch"
    swift build --package-path "$parser" --scratch-path "$scratch/generate-manual" -c release -j "$jobs" \
        --product generate-manual >&2
    tool_bin=$(swift build --package-path "$parser" --scratch-path "$scratch/generate-manual" -c release \
        --product generate-manual --show-bin-path)/generate-manual
    # The tool runs the binary with --experimental-dump-help.
    "$tool_bin" "$sb" --multi-page --date "$man_date" --output-directory "$man_out"
    "$tool_bin" "$sbt" --multi-page --date "$man_date" --output-directory "$tools_man_out"
    log "man pages: generate-manual (swift-argument-parser $(cd "$parser" && git describe --tags 2>/dev/null || echo checkout))"
fi
[ -f "$man_out/scanbridge.1" ] || die "no scanbridge.1 generated"
# The tools' root page becomes scanbridge-tools.1, the page of that executable; `help` stays
# the agent's; each tool command's page replaces the agent's empty one of the same name.
sed -e 's/^\.Dt SCANBRIDGE 1$/.Dt SCANBRIDGE-TOOLS 1/' -e '0,/^\.Nm scanbridge$/s//.Nm scanbridge-tools/' \
    "$tools_man_out/scanbridge.1" > "$tools_man_out/scanbridge-tools.1"
rm -f "$tools_man_out/scanbridge.1" "$tools_man_out/scanbridge.help.1"
for page in "$tools_man_out"/*.1; do
    rm -f "$man_out/$(basename "$page")"
done
[ -f "$tools_man_out/scanbridge.receive.1" ] || die "no scanbridge.receive.1 generated from scanbridge-tools"
# whatis/apropos (lexgrog) cannot parse a NAME of two words (.Nm "scanbridge run"): name a
# subcommand's page by its file name there, and keep "scanbridge run" where it is shown.
python3 - "$man_out"/*.1 "$tools_man_out"/*.1 <<'PY'
import re, sys
for path in sys.argv[1:]:
    lines = open(path, encoding="utf-8").read().split("\n")
    out, name, in_name = [], None, False
    for line in lines:
        if line.startswith(".Sh "):
            in_name = line == ".Sh NAME"
        m = re.fullmatch(r'\.Nm "([^"]+)"', line)
        if in_name and m and name is None and " " in m.group(1):
            name = m.group(1)
            line = ".Nm " + name.replace(" ", ".")
        elif in_name and line.startswith('.Nd "') and line.endswith('"'):
            line = ".Nd " + line[5:-1]
        elif line == ".Nm" and name is not None:
            line = '.Nm "%s"' % name
        out.append(line)
    open(path, "w", encoding="utf-8").write("\n".join(out))
PY
for page in "$man_out"/*.1; do
    gzip -9n < "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"
done
for page in "$tools_man_out"/*.1; do
    gzip -9n < "$page" > "$tools_root/usr/share/man/man1/$(basename "$page").gz"
done

# --- Documentation ---------------------------------------------------------------------------
year=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)
# The Swift packages statically linked into each binary (linked-modules.py above), with the
# licence their LICENSE file states.
for product in scanbridge scanbridge-tools; do
python3 - "$scratch/checkouts" "$work/$product.modules" > "$work/$product.dependencies" <<'PY'
import json, os, sys
checkouts = sys.argv[1]
linked = {line.split()[0].lower() for line in open(sys.argv[2])}
for pin in sorted(json.load(open("Package.resolved"))["pins"], key=lambda p: p["identity"]):
    directory = next((os.path.join(checkouts, d) for d in os.listdir(checkouts)
                      if d.lower() == pin["identity"].lower()), None)
    if directory is None or os.path.basename(directory).lower() not in linked:
        continue
    text = ""
    for candidate in ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING"):
        if directory and os.path.exists(os.path.join(directory, candidate)):
            text = open(os.path.join(directory, candidate), encoding="utf-8", errors="replace").read()
            break
    if "Apache License" in text and "Version 2.0" in text:
        licence = "Apache-2.0"
    elif "Permission is hereby granted, free of charge" in text:
        licence = "MIT"
    else:
        licence = "see the package's repository"
    state = pin.get("state", {})
    print(f" {pin['location']} {state.get('version') or state.get('revision', '')[:12]}: {licence}")
PY
done
if [ -f LICENSE ] && grep -q 'Apache License' LICENSE && grep -q 'Version 2.0' LICENSE; then
    own_licence=Apache-2.0
else
    own_licence=all-rights-reserved
fi
copyright() {  # binary (usr/bin/…), its .dependencies file
    cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: scanbridge
Upstream-Contact: $maintainer

Files: *
Copyright: $year scanbridge authors
License: $own_licence

Files: $1
Copyright: $year scanbridge authors
 Apple Inc. and the Swift project authors
 the authors of the Swift packages listed below
License: $own_licence and Apache-2.0 and MIT
Comment: The binary is linked with --static-swift-stdlib: it contains the Swift
 runtime, standard library and Foundation (Apache-2.0 with the Runtime Library
 Exception), and code of these Swift packages, as resolved in Package.resolved:
EOF
    cat "$2"
    cat <<'EOF'
 .
 swift-crypto and swift-nio-ssl contain BoringSSL (ISC, OpenSSL and SSLeay
 licences); Yams contains LibYAML (MIT); swift-nio-extras contains zlib (zlib
 licence). SQLite, libudev and libusb are the system's shared libraries.
EOF
    if [ "$own_licence" = all-rights-reserved ]; then
        cat <<'EOF'

License: all-rights-reserved
 No licence has been granted for scanbridge yet: all rights are reserved by its
 copyright holders.
EOF
    fi
    cat <<'EOF'

License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 can be
 found in "/usr/share/common-licenses/Apache-2.0". The Swift runtime's Runtime
 Library Exception: as an exception, if you use this Software to compile your
 source code and portions of this Software are embedded into the binary product
 as a result, you may redistribute such product without providing attribution
 as would otherwise be required by Sections 4(a), 4(b) and 4(d) of the License.

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
EOF
}
copyright usr/bin/scanbridge "$work/scanbridge.dependencies" > "$doc/copyright"
copyright usr/bin/scanbridge-tools "$work/scanbridge-tools.dependencies" > "$tools_doc/copyright"

subject=$(git log -1 --format=%s 2>/dev/null || echo "unknown commit")
for staged in "$package:$doc" "$tools_package:$tools_doc"; do
    name=${staged%%:*}
    directory=${staged#*:}
    {
        printf '%s (%s) unstable; urgency=medium\n\n' "$name" "$version"
        printf '  * Built from git commit %s: %s\n' "$sha" "$subject" | fold -s -w 78 | sed '2,$s/^/    /'
        printf '  * Upstream changes: /usr/share/doc/%s/changelog.gz\n\n' "$name"
        printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
    } | gzip -9n > "$directory/changelog.Debian.gz"
    if [ -f CHANGELOG.md ]; then
        gzip -9n < CHANGELOG.md > "$directory/changelog.gz"
    fi
done

mkdir -p "$root/usr/share/lintian/overrides" "$tools_root/usr/share/lintian/overrides"
install -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/$package"
install -m 0644 packaging/lintian-overrides-tools "$tools_root/usr/share/lintian/overrides/$tools_package"

# --- Control -------------------------------------------------------------------------------------
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
printf '/etc/scanbridge/scanbridge.yaml\n/etc/scanbridge/profiles.d/README.txt\n' > "$root/DEBIAN/conffiles"

shlib_depends() {  # package name, staged binary -> its Depends on shared libraries
    local name=$1 binary=$2 depends=""
    if command -v dpkg-shlibdeps >/dev/null; then
        rm -rf "$work/shlibs"
        mkdir -p "$work/shlibs/debian"
        printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$name" > "$work/shlibs/debian/control"
        depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "-e$binary" 2>"$work/shlibdeps.log" \
            | sed -n 's/^shlibs:Depends=//p') || depends=""
        [ -n "$depends" ] || log "dpkg-shlibdeps gave nothing for $name ($(cat "$work/shlibdeps.log")); using ldd"
    fi
    if [ -z "$depends" ]; then
        local needed
        needed=$(ldd "$binary" | awk '{print $1}')
        depends=$(for lib in $needed; do
            case "$lib" in
            libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libutil.so.*) echo libc6 ;;
            libsqlite3.so.*) echo libsqlite3-0 ;;
            libudev.so.*) echo libudev1 ;;
            libusb-1.0.so.*) echo libusb-1.0-0 ;;
            libstdc++.so.*) echo libstdc++6 ;;
            libgcc_s.so.*) echo libgcc-s1 ;;
            libz.so.*) echo zlib1g ;;
            libzstd.so.*) echo libzstd1 ;;
            linux-vdso.so.*|/lib*/ld-linux*) ;;
            *) echo "build-deb: warning: no package known for $lib" >&2 ;;
            esac
        done | sort -u | paste -sd, | sed 's/,/, /g')
    fi
    dt_relr_floor "$depends" "$binary"
}

# A binary whose relative relocations are DT_RELR (see Build) needs glibc 2.36: the loader
# checks the version GLIBC_ABI_DT_RELR, which dpkg-shlibdeps does not turn into a version (it
# reads symbols, and that version has none; it writes libc6 (>= 2.35) here).
dt_relr_floor() {  # Depends, binary -> the Depends with libc6 at 2.36 or later
    local depends=$1 binary=$2 current
    if ! readelf -VW "$binary" | grep -q 'GLIBC_ABI_DT_RELR'; then
        printf '%s\n' "$depends"
        return
    fi
    current=$(sed -n 's/.*libc6 (>= \([^)]*\)).*/\1/p' <<<"$depends")
    if [ -n "$current" ] && dpkg --compare-versions "$current" ge 2.36; then
        printf '%s\n' "$depends"
    elif grep -qE '(^|, )libc6( \(|,|$)' <<<"$depends"; then
        sed -E 's/(^|, )libc6( \(>= [^)]*\))?(,|$)/\1libc6 (>= 2.36)\3/' <<<"$depends"
    else
        printf 'libc6 (>= 2.36)%s\n' "${depends:+, $depends}"
    fi
}
depends=$(shlib_depends "$package" "$root/usr/bin/scanbridge")
tools_depends=$(shlib_depends "$tools_package" "$tools_root/usr/bin/scanbridge-tools")

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends, adduser
Recommends: udev
Suggests: $tools_package
Section: misc
Priority: optional
Description: edge agent forwarding barcode and RFID scans as signed batches
 scanbridge reads barcode scanners and serial RFID readers on a workshop
 Linux box, checks every payload against its device profile, keeps every
 event durably in SQLite while the network is down, and forwards signed,
 hash-chained batches to the finance or inventory system upstream.
 .
 This package runs the agent as the systemd service scanbridge.service
 (user scanbridge), gives it its devices through udev rules, and creates its
 Ed25519 signing key on first installation. The reference receiver, the
 chain audit, the demo, the benches and the device simulators are in
 scanbridge-tools.
EOF
tools_installed_size=$(du -sk --exclude=DEBIAN "$tools_root" | cut -f1)
cat > "$tools_root/DEBIAN/control" <<EOF
Package: $tools_package
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $tools_installed_size
Depends: $package (= $version), $tools_depends
Section: misc
Priority: optional
Description: reference receiver, chain audit, demo and simulators for scanbridge
 The commands of scanbridge that the agent does not need, typed as before:
 scanbridge receive (the reference receiver, on SQLite or PostgreSQL),
 scanbridge verify (the chain audit of exported batches or of a receiver
 store), scanbridge demo, scanbridge bench, and scanbridge simulate (a serial
 barcode scanner or RFID reader on a pseudo-terminal). scanbridge hands
 these commands to /usr/bin/scanbridge-tools.
EOF

mkdir -p "$out"
# The debug information the packaged binaries were stripped of, matched to them by build id
# (docs/operations.md, "When the agent crashes"): not packaged; about 50 MB each, compressed.
for built in "$package:$binary" "$tools_package:$tools_binary"; do
    debug_file="$out/${built%%:*}_${version}_${arch}.debug"
    objcopy --only-keep-debug --compress-debug-sections=zlib "${built#*:}" "$debug_file"
    chmod 0644 "$debug_file"
    log "kept $debug_file (build id $(readelf -n "$debug_file" | sed -n 's/.*Build ID: //p'))"
done
for staged in "$package:$root" "$tools_package:$tools_root"; do
    name=${staged%%:*}
    directory=${staged#*:}
    (cd "$directory" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
        | xargs -0 md5sum) > "$directory/DEBIAN/md5sums"
    chmod 0644 "$directory/DEBIAN/control" "$directory/DEBIAN/md5sums"
    [ ! -f "$directory/DEBIAN/conffiles" ] || chmod 0644 "$directory/DEBIAN/conffiles"
    find "$directory" -type d -exec chmod 0755 {} +
    find "$directory" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    deb="$out/${name}_${version}_${arch}.deb"
    dpkg-deb --root-owner-group -Zxz --build "$directory" "$deb" >/dev/null
    log "built $deb ($(stat -c %s "$deb") bytes)"
    printf '%s\n' "$deb"
done
