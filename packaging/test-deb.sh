#!/usr/bin/env bash
# Tests a scanbridge .deb on this machine: contents and modes, lintian, install, what the
# maintainer scripts set up, the agent starting as user scanbridge, the tool commands' message
# without scanbridge-tools, reinstall, remove (state and configuration kept) and purge
# (everything gone). Given the scanbridge-tools .deb too, also its contents and lintian, and,
# installed beside the agent, `scanbridge receive --help` and `scanbridge demo` handed over to
# it, then its removal. Leaves both packages purged.
# Recommends (udev) are not installed, so the machine keeps its package set.
# Usage (as root): packaging/test-deb.sh dist/scanbridge_V_ARCH.deb [dist/scanbridge-tools_V_ARCH.deb]
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

deb=${1:?usage: test-deb.sh DEB [TOOLS_DEB]}
tools_deb=${2:-}
for file in "$deb" $tools_deb; do
    [ -f "$file" ] || { echo "test-deb: no file $file" >&2; exit 2; }
done
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
[ -z "$tools_deb" ] || tools_deb=$(cd "$(dirname "$tools_deb")" && pwd)/$(basename "$tools_deb")
[ "$(id -u)" = 0 ] || { echo "test-deb: must run as root (it installs and purges the package)" >&2; exit 2; }
installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qv '^not-installed$'; }
for package in scanbridge scanbridge-tools; do
    if installed "$package"; then
        echo "test-deb: $package is already installed here; purge it first (apt-get purge $package)" >&2
        exit 2
    fi
done

failures=0
step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi; }
cleanup() {
    for package in scanbridge-tools scanbridge; do
        if installed "$package"; then
            echo "test-deb: purging $package after a failure"
            apt-get purge -y -qq "$package" >/dev/null 2>&1 || dpkg --purge "$package" || true
        fi
    done
    rm -rf "$work"
}
work=$(mktemp -d /tmp/scanbridge-test-deb-XXXXXX)
trap cleanup EXIT

key=/var/lib/scanbridge/signing-key.jwk
conffile=/etc/scanbridge/scanbridge.yaml
unit=/lib/systemd/system/scanbridge.service

# --- The archive ---------------------------------------------------------------------------
step "dpkg-deb --info"
dpkg-deb --info "$deb"
step "dpkg-deb --contents"
dpkg-deb --contents "$deb" | tee "$work/contents"
mode_of() { awk -v p="./${1#/}" '$6 == p || $6 == p"/" {print $1; exit}' "$work/contents"; }
expect() {  # path, mode string (ls -l form), what
    local got; got=$(mode_of "$1")
    if [ -z "$got" ]; then fail "$1 is in the package"; elif [ "$got" != "$2" ]; then fail "$1 mode $got, expected $2"; else ok "$1 $2"; fi
}
expect /usr/bin/scanbridge -rwxr-xr-x
expect "$unit" -rw-r--r--
expect /usr/lib/udev/rules.d/70-scanbridge.rules -rw-r--r--
expect /usr/lib/sysusers.d/scanbridge.conf -rw-r--r--
expect /usr/lib/tmpfiles.d/scanbridge.conf -rw-r--r--
expect /usr/lib/modules-load.d/scanbridge.conf -rw-r--r--
expect "$conffile" -rw-r--r--
expect /etc/scanbridge/profiles.d drwxr-xr-x
expect /etc/scanbridge/profiles.d/README.txt -rw-r--r--
expect /usr/share/man/man1/scanbridge.1.gz -rw-r--r--
expect /usr/share/man/man1/scanbridge.run.1.gz -rw-r--r--
for page in scanbridge.receive scanbridge.demo scanbridge.bench scanbridge.simulate scanbridge.verify; do
    if [ -n "$(mode_of "/usr/share/man/man1/$page.1.gz")" ]; then fail "$page.1.gz is not in the agent's package"; else ok "$page.1.gz is not in the agent's package"; fi
done
if [ -n "$(mode_of /usr/bin/scanbridge-tools)" ]; then fail "/usr/bin/scanbridge-tools is not in the agent's package"; else ok "/usr/bin/scanbridge-tools is not in the agent's package"; fi
expect /usr/share/bash-completion/completions/scanbridge -rw-r--r--
expect /usr/share/zsh/vendor-completions/_scanbridge -rw-r--r--
expect /usr/share/fish/vendor_completions.d/scanbridge.fish -rw-r--r--
expect /usr/share/doc/scanbridge/copyright -rw-r--r--
expect /usr/share/doc/scanbridge/changelog.Debian.gz -rw-r--r--
for profile in serial-lines thingmagic-mercury; do
    expect "/usr/share/scanbridge/profiles/$profile.json" -rw-r--r--
done
if awk '{print $2}' "$work/contents" | grep -qv '^root/root$'; then fail "every file is owned by root/root"; else ok "every file is owned by root/root"; fi

dpkg-deb --control "$deb" "$work/control"
for script in postinst prerm postrm; do
    if [ "$(stat -c %a "$work/control/$script" 2>/dev/null)" = 755 ]; then ok "DEBIAN/$script 0755"; else fail "DEBIAN/$script 0755"; fi
    check "DEBIAN/$script is POSIX sh (sh -n)" sh -n "$work/control/$script"
done
check "DEBIAN/conffiles names $conffile" grep -qx "$conffile" "$work/control/conffiles"
grep '^Depends:' "$work/control/control"
# The binary as linked for the package (build-deb.sh, Build): relative relocations packed as
# DT_RELR, which needs glibc 2.36 in Depends; no exported Swift symbols.
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/scanbridge > "$work/scanbridge.bin"
check "the agent's relocations are DT_RELR" sh -c "readelf -dW '$work/scanbridge.bin' | grep -q '(RELR)'"
check "Depends: libc6 (>= 2.36), the first glibc that loads DT_RELR" \
    sh -c "grep '^Depends:' '$work/control/control' | grep -qF 'libc6 (>= 2.36)'"
check "the agent exports no Swift symbols (linked --no-export-dynamic)" \
    sh -c "! readelf --dyn-syms -W '$work/scanbridge.bin' | grep -q ' \\\$s'"
rm -f "$work/scanbridge.bin"

# --- lintian -------------------------------------------------------------------------------------
step "lintian"
if command -v lintian >/dev/null; then
    lintian --info --display-info --tag-display-limit 0 "$deb" 2>&1 | tee "$work/lintian" || true
    if grep -q '^E: ' "$work/lintian"; then fail "lintian: errors"; else ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian" || true) warnings)"; fi
else
    echo "lintian not installed (apt-get install -y lintian): skipped"
fi

# --- Install ---------------------------------------------------------------------------------------
step "apt-get install ./$(basename "$deb")"
apt-get install -y --no-install-recommends "$deb" 2>&1 | tee "$work/install.log" | grep -v '^\(Reading\|Building\|Selecting\|(Reading\)' || true
check "package installed" sh -c "dpkg-query -W -f='\${db:Status-Status}' scanbridge | grep -qx installed"
check "user scanbridge exists" getent passwd scanbridge
check "group scanbridge exists" getent group scanbridge
check "user scanbridge's home is /var/lib/scanbridge" sh -c 'getent passwd scanbridge | cut -d: -f6 | grep -qx /var/lib/scanbridge'
check "user scanbridge is in group dialout" sh -c 'id -nG scanbridge | tr " " "\n" | grep -qx dialout'
check "user scanbridge is not in group input" sh -c '! id -nG scanbridge | tr " " "\n" | grep -qx input'
check "/var/lib/scanbridge is 0750 scanbridge:scanbridge" sh -c '[ "$(stat -c "%a %U:%G" /var/lib/scanbridge)" = "750 scanbridge:scanbridge" ]'
check "$key exists, 0600, owned by scanbridge" sh -c "[ \"\$(stat -c '%a %U' $key)\" = '600 scanbridge' ]"
check "the public key was printed at installation" grep -q '^ *kid: ' "$work/install.log"
check "scanbridge --help runs from /usr/bin" /usr/bin/scanbridge --help
check "man scanbridge is installed" sh -c 'zcat /usr/share/man/man1/scanbridge.1.gz | grep -q "^\.Dt SCANBRIDGE 1"'
check "profiles list loads $conffile as user scanbridge" runuser -u scanbridge -- scanbridge profiles list --config "$conffile"
runuser -u scanbridge -- scanbridge profiles list --config "$conffile" | sed 's/^/     /'
check "the shipped built-in profiles pass profiles check" sh -c 'scanbridge profiles check /usr/share/scanbridge/profiles/*.json'
check "bash completion script parses" bash -n /usr/share/bash-completion/completions/scanbridge
if command -v systemd-analyze >/dev/null; then
    if systemd-analyze verify "$unit" > "$work/verify" 2>&1 && [ ! -s "$work/verify" ]; then
        ok "systemd-analyze verify $unit: clean"
    else
        fail "systemd-analyze verify $unit:"; cat "$work/verify"
    fi
fi
# The agent itself, as the service runs it (user scanbridge, packaged config and key): it must
# start and, on SIGTERM, stop cleanly with status 0.
if runuser -u scanbridge -- timeout --preserve-status -s TERM 5 \
    env -u NOTIFY_SOCKET /usr/bin/scanbridge run --config "$conffile" > "$work/run.log" 2>&1; then
    ok "scanbridge run as user scanbridge: started, stopped on SIGTERM with 0"
else
    fail "scanbridge run as user scanbridge (exit $?):"; tail -20 "$work/run.log"
fi

# --- The tool commands: a clear message without scanbridge-tools, handed over with it ---------------------
step "tool commands without scanbridge-tools"
status=0
scanbridge demo --seconds 3 > "$work/no-tools.log" 2>&1 || status=$?
sed 's/^/     /' "$work/no-tools.log"
if [ "$status" = 1 ] && grep -q 'no scanbridge-tools beside /usr/bin/scanbridge.*install the scanbridge-tools package' "$work/no-tools.log"; then
    ok "scanbridge demo exits 1 saying to install scanbridge-tools"
else
    fail "scanbridge demo without the tools (exit $status)"
fi
check "scanbridge --help lists receive" sh -c 'scanbridge --help | grep -q "^  receive "'

if [ -n "$tools_deb" ]; then
    step "scanbridge-tools: dpkg-deb --info, --contents"
    dpkg-deb --info "$tools_deb"
    dpkg-deb --contents "$tools_deb" | tee "$work/contents"
    expect /usr/bin/scanbridge-tools -rwxr-xr-x
    expect /usr/share/man/man1/scanbridge-tools.1.gz -rw-r--r--
    for page in scanbridge.receive scanbridge.receive.serve scanbridge.demo scanbridge.bench scanbridge.simulate scanbridge.verify; do
        expect "/usr/share/man/man1/$page.1.gz" -rw-r--r--
    done
    expect /usr/share/doc/scanbridge-tools/copyright -rw-r--r--
    expect /usr/share/doc/scanbridge-tools/changelog.Debian.gz -rw-r--r--
    if [ -n "$(mode_of /usr/share/man/man1/scanbridge.1.gz)" ]; then fail "scanbridge.1.gz is only in the agent's package"; else ok "scanbridge.1.gz is only in the agent's package"; fi
    if awk '{print $2}' "$work/contents" | grep -qv '^root/root$'; then fail "every file is owned by root/root"; else ok "every file is owned by root/root"; fi
    version=$(dpkg-deb -f "$deb" Version)
    check "scanbridge-tools depends on scanbridge (= $version)" sh -c "dpkg-deb -f '$tools_deb' Depends | grep -qF 'scanbridge (= $version)'"
    dpkg-deb -f "$tools_deb" Depends

    step "scanbridge-tools: lintian"
    if command -v lintian >/dev/null; then
        lintian --info --display-info --tag-display-limit 0 "$tools_deb" 2>&1 | tee "$work/lintian-tools" || true
        if grep -q '^E: ' "$work/lintian-tools"; then fail "lintian: errors"; else ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian-tools" || true) warnings)"; fi
    fi

    step "apt-get install ./$(basename "$tools_deb")"
    apt-get install -y -qq --no-install-recommends "$tools_deb" > "$work/install-tools.log" 2>&1 || cat "$work/install-tools.log"
    check "scanbridge-tools installed" sh -c "dpkg-query -W -f='\${db:Status-Status}' scanbridge-tools | grep -qx installed"
    check "scanbridge receive --help is the receiver's, through the agent" sh -c 'scanbridge receive --help | grep -q "^USAGE: scanbridge receive"'
    check "scanbridge help verify, through the agent" sh -c 'scanbridge help verify | grep -q "^USAGE: scanbridge verify"'
    check "man scanbridge.receive is installed" sh -c 'zcat /usr/share/man/man1/scanbridge.receive.1.gz | grep -q "^\.Dt SCANBRIDGE.RECEIVE 1"'
    if scanbridge demo --seconds 3 --dir "$work/demo" > "$work/demo.log" 2>&1 && grep -q 'demo passed' "$work/demo.log"; then
        ok "scanbridge demo --seconds 3 runs through the agent: $(grep 'demo passed' "$work/demo.log")"
    else
        fail "scanbridge demo --seconds 3 through the agent:"; tail -20 "$work/demo.log"
    fi

    step "apt-get remove scanbridge-tools"
    apt-get remove -y -qq scanbridge-tools > /dev/null 2>&1
    check "scanbridge-tools removed" test ! -e /usr/bin/scanbridge-tools
    check "the agent stays installed" sh -c "dpkg-query -W -f='\${db:Status-Status}' scanbridge | grep -qx installed"
    check "scanbridge receive exits 1 again without the tools" sh -c '! scanbridge receive --help >/dev/null 2>&1'
    apt-get purge -y -qq scanbridge-tools > /dev/null 2>&1
fi

# --- Reinstall: the key is kept ------------------------------------------------------------------------
step "reinstall"
before=$(sha256sum "$key")
apt-get install -y -qq --no-install-recommends --reinstall "$deb" > /dev/null 2>&1
check "reinstall keeps the signing key" sh -c "[ \"\$(sha256sum $key)\" = '$before' ]"

# --- Remove: state and configuration stay ------------------------------------------------------------------
step "apt-get remove scanbridge"
echo "# operator edit" >> "$conffile"
apt-get remove -y -qq scanbridge > /dev/null 2>&1
check "binary removed" test ! -e /usr/bin/scanbridge
check "package in state config-files" sh -c "dpkg-query -W -f='\${db:Status-Status}' scanbridge | grep -qx config-files"
check "remove keeps $key" test -f "$key"
check "remove keeps the edited conffile" grep -q '^# operator edit' "$conffile"
check "remove keeps user scanbridge" getent passwd scanbridge

step "install again after remove"
apt-get install -y -qq --no-install-recommends "$deb" > /dev/null 2>&1
check "reinstall after remove keeps the signing key" sh -c "[ \"\$(sha256sum $key)\" = '$before' ]"
check "reinstall after remove keeps the edited conffile" grep -q '^# operator edit' "$conffile"

# --- Purge: everything goes -------------------------------------------------------------------------------
step "apt-get purge scanbridge"
apt-get purge -y -qq scanbridge > /dev/null 2>&1
check "package not installed" sh -c "! dpkg-query -W -f='\${db:Status-Status}' scanbridge 2>/dev/null | grep -qv not-installed"
check "purge removes /var/lib/scanbridge" test ! -e /var/lib/scanbridge
check "purge removes /etc/scanbridge" test ! -e /etc/scanbridge
check "purge removes user scanbridge" sh -c '! getent passwd scanbridge'
check "purge removes group scanbridge" sh -c '! getent group scanbridge'
check "purge removes the enablement link" test ! -e /etc/systemd/system/multi-user.target.wants/scanbridge.service

echo
if [ "$failures" -gt 0 ]; then echo "test-deb: $failures check(s) failed"; exit 1; fi
echo "test-deb: all checks passed"
