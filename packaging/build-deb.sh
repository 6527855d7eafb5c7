#!/usr/bin/env bash
# Builds the scanbridge Debian package: a release binary linked with --static-swift-stdlib,
# the systemd unit, udev rules, sysusers/tmpfiles snippets, the default configuration, the
# built-in profiles, man pages and shell completions.
#
# Usage: packaging/build-deb.sh [--version V] [--out DIR] [--skip-build]
#   --version V   package version (default: `git describe --tags --always`, else
#                 0.1.0~git<sha>); "-1" is appended when V has no Debian revision
#   --out DIR     where the .deb goes (default: dist)
#   --skip-build  package the binary already in the scratch path
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
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

scratch=${SCANBRIDGE_PKG_SCRATCH:-.build-release}
jobs=${SCANBRIDGE_PKG_JOBS:-1}
man_mode=${SCANBRIDGE_PKG_MAN:-tool}
package=scanbridge
arch=$(dpkg --print-architecture)
log() { printf 'build-deb: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in dpkg-deb gzip python3 strip; do
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
log "package $package $version ($arch), scratch path $scratch"

# --- Build ---------------------------------------------------------------------------------
build_flags=(-c release -j "$jobs" --static-swift-stdlib --product scanbridge --scratch-path "$scratch")
if [ "$skip_build" = 0 ]; then
    started=$(date +%s)
    swift build "${build_flags[@]}" >&2
    log "release build took $(( $(date +%s) - started )) s"
fi
bin_dir=$(swift build "${build_flags[@]}" --show-bin-path)
binary="$bin_dir/scanbridge"
[ -x "$binary" ] || die "no binary at $binary (run without --skip-build)"

# --- Stage ---------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/scanbridge-deb-XXXXXX")
trap 'rm -rf "$work"' EXIT
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
# its GenerateManual command plugin runs on each built executable. By default the tool is built
# from the resolved argument-parser checkout and run on the staged binary, because the plugin
# builds every product itself and `swift package` has no --static-swift-stdlib: in release it
# would relink the scratch path's binary against the shared Swift runtime. SCANBRIDGE_PKG_MAN=plugin
# runs the plugin instead, in debug, on the default .build (cheap where a debug build exists).
man_date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
man_out="$work/man"
mkdir -p "$man_out"
if [ "$man_mode" = plugin ]; then
    swift package -j "$jobs" generate-manual --configuration debug --multi-page --date "$man_date" \
        > "$work/plugin.log" 2>&1 || die "GenerateManual plugin failed: $(tail -20 "$work/plugin.log")"
    plugin_dir=$(sed -n "s/^Generated manual in '\(.*\)'\$/\1/p" "$work/plugin.log" | tail -1)
    plugin_dir=${plugin_dir#file://}
    [ -f "$plugin_dir/scanbridge.1" ] || die "GenerateManual plugin wrote no scanbridge.1 ($(tail -5 "$work/plugin.log"))"
    cp "$plugin_dir"/*.1 "$man_out/"
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
    log "man pages: generate-manual (swift-argument-parser $(cd "$parser" && git describe --tags 2>/dev/null || echo checkout))"
fi
[ -f "$man_out/scanbridge.1" ] || die "no scanbridge.1 generated"
# whatis/apropos (lexgrog) cannot parse a NAME of two words (.Nm "scanbridge run"): name a
# subcommand's page by its file name there, and keep "scanbridge run" where it is shown.
python3 - "$man_out"/*.1 <<'PY'
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

# --- Documentation ---------------------------------------------------------------------------
year=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)
# The statically linked Swift packages, with the licence their LICENSE file states.
python3 - "$scratch/checkouts" > "$work/dependencies" <<'PY'
import json, os, sys
checkouts = sys.argv[1]
test_only = {"swift-property-based"}  # Package.swift: test targets only
for pin in sorted(json.load(open("Package.resolved"))["pins"], key=lambda p: p["identity"]):
    if pin["identity"] in test_only:
        continue
    directory = next((os.path.join(checkouts, d) for d in os.listdir(checkouts)
                      if d.lower() == pin["identity"].lower()), None)
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
if [ -f LICENSE ] && grep -q 'Apache License' LICENSE && grep -q 'Version 2.0' LICENSE; then
    own_licence=Apache-2.0
else
    own_licence=all-rights-reserved
fi
{
    cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: scanbridge
Upstream-Contact: $maintainer

Files: *
Copyright: $year scanbridge authors
License: $own_licence

Files: usr/bin/scanbridge
Copyright: $year scanbridge authors
 Apple Inc. and the Swift project authors
 the authors of the Swift packages listed below
License: $own_licence and Apache-2.0 and MIT
Comment: The binary is linked with --static-swift-stdlib: it contains the Swift
 runtime, standard library and Foundation (Apache-2.0 with the Runtime Library
 Exception), and code of these Swift packages, as resolved in Package.resolved:
EOF
    cat "$work/dependencies"
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
} > "$doc/copyright"

subject=$(git log -1 --format=%s 2>/dev/null || echo "unknown commit")
{
    printf '%s (%s) unstable; urgency=medium\n\n' "$package" "$version"
    printf '  * Built from git commit %s: %s\n' "$sha" "$subject" | fold -s -w 78 | sed '2,$s/^/    /'
    printf '  * Upstream changes: /usr/share/doc/scanbridge/changelog.gz\n\n'
    printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.Debian.gz"
if [ -f CHANGELOG.md ]; then
    gzip -9n < CHANGELOG.md > "$doc/changelog.gz"
fi

mkdir -p "$root/usr/share/lintian/overrides"
install -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/$package"

# --- Control -------------------------------------------------------------------------------------
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
printf '/etc/scanbridge/scanbridge.yaml\n/etc/scanbridge/profiles.d/README.txt\n' > "$root/DEBIAN/conffiles"

depends=""
if command -v dpkg-shlibdeps >/dev/null; then
    mkdir -p "$work/shlibs/debian"
    printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$package" > "$work/shlibs/debian/control"
    depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "-e$root/usr/bin/scanbridge" 2>"$work/shlibdeps.log" \
        | sed -n 's/^shlibs:Depends=//p') || depends=""
    [ -n "$depends" ] || log "dpkg-shlibdeps gave nothing ($(cat "$work/shlibdeps.log")); using ldd"
fi
if [ -z "$depends" ]; then
    needed=$(ldd "$root/usr/bin/scanbridge" | awk '{print $1}')
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
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends, adduser
Recommends: udev
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
 Ed25519 signing key on first installation.
EOF
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb="$out/${package}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
log "built $deb"
printf '%s\n' "$deb"
