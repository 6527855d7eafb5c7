#!/usr/bin/env bash
# with-postgres.sh CMD [ARG…]: runs CMD beside a throwaway PostgreSQL cluster.
#
# The cluster lives in a temporary directory, listens on a free loopback port (and a socket in
# that directory, never the system's), takes SCRAM passwords, and is stopped and deleted when
# CMD ends, whatever happens. CMD sees SCANBRIDGE_TEST_POSTGRES_URL=postgres://…; the
# PostgreSQL tests skip themselves without it. No system service is used or touched.
#
# PostgreSQL refuses to run as root, so under root (CI) the server runs as the `postgres`
# user the Debian package creates (else `nobody`); CMD itself runs as the caller. Its variables
# are SCANBRIDGE_TEST_* because the agent refuses any other SCANBRIDGE_* it does not know, and
# the agents the tests start inherit this environment.
# SCANBRIDGE_TEST_PG_BIN overrides where initdb/pg_ctl are found; SCANBRIDGE_TEST_PG_OPTIONS adds
# server options (e.g. "-c fsync=off" for a faster, less honest run).
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARG…]" >&2
    exit 2
fi

bin=${SCANBRIDGE_TEST_PG_BIN:-}
if [ -z "$bin" ]; then
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        bin=$(pg_config --bindir)
    else
        bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    fi
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "$0: PostgreSQL server binaries not found — install them (Debian: apt-get install postgresql) or set SCANBRIDGE_TEST_PG_BIN" >&2
    exit 1
fi

as_server=()
owner=$(id -un)
if [ "$(id -u)" = 0 ]; then
    owner=postgres
    getent passwd postgres >/dev/null || owner=nobody
    as_server=(setpriv --reuid="$owner" --regid="$(id -g "$owner")" --init-groups --)
fi

root=$(mktemp -d /tmp/scanbridge-pg-XXXXXX)
chmod 0755 "$root"
data="$root/data"
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" >"$root/pwfile"
chmod 0600 "$root/pwfile"
[ "$owner" = "$(id -un)" ] || chown -R "$owner" "$root"

cleanup() {
    if [ -f "$data/postmaster.pid" ]; then
        (cd "$root" && "${as_server[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1) || true
    fi
    rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$root" && "${as_server[@]}" "$bin/initdb" -D "$data" -U scanbridge --pwfile="$root/pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1) || {
    cat "$root/initdb.log" >&2
    echo "$0: initdb failed" >&2
    exit 1
}
rm -f "$root/pwfile"

started=""
for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    # shellcheck disable=SC2086
    if (cd "$root" && "${as_server[@]}" "$bin/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$root -c max_connections=200 ${SCANBRIDGE_TEST_PG_OPTIONS:-}" \
        start >/dev/null 2>&1); then
        started=$port
        break
    fi
    grep -q "could not bind\|Address already in use" "$root/server.log" 2>/dev/null || break
done
if [ -z "$started" ]; then
    cat "$root/server.log" >&2 2>/dev/null || true
    echo "$0: PostgreSQL did not start" >&2
    exit 1
fi

export PGPASSWORD="$password"
"$bin/createdb" -h 127.0.0.1 -p "$started" -U scanbridge scanbridge_test
export SCANBRIDGE_TEST_POSTGRES_URL="postgres://scanbridge:$password@127.0.0.1:$started/scanbridge_test?sslmode=disable"
unset PGPASSWORD
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$started (data in $data)" >&2

status=0
"$@" || status=$?
exit $status
