#!/usr/bin/env bash
# The long versions of the fault tests, for a machine that can spare hours (not CI):
#   - the SIGKILL test with thousands of kills (default 5000) of the real agent process while a
#     pty writer scans and a loopback receiver takes batches: nothing committed lost or
#     doubled, seq and the batch chain continuous;
#   - every libFuzzer target for 10^7 executions (SCANBRIDGE_FUZZ_RUNS to change), the receiver
#     target for an hour (SCANBRIDGE_FUZZ_RECEIVER_SECONDS), as it is slow per input;
#   - the RFID readers end to end at full length (100,000 reads per protocol).
# Each part's log is kept under the printed directory; the script exits non-zero if any failed.
#
#   Tests/Soak/soak.sh                 # everything
#   Tests/Soak/soak.sh kills           # one part: kills | fuzz | readers
set -uo pipefail
cd "$(dirname "$0")/../.."
only="${1:-}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/scanbridge-soak.XXXXXX")"
echo "soak logs: $logs"
status=0

run() {
    local name="$1"
    shift
    [ -n "$only" ] && [ "$only" != "$name" ] && return
    echo "== $name ($(date -u +%H:%M:%S))"
    if "$@" >"$logs/$name.log" 2>&1; then
        echo "   passed ($(date -u +%H:%M:%S))"
    else
        echo "   FAILED: $logs/$name.log"
        tail -n 30 "$logs/$name.log"
        status=1
    fi
}

swift build --build-tests >"$logs/build.log" 2>&1 || { echo "build failed: $logs/build.log"; exit 1; }
run kills env SCANBRIDGE_CRASH_ITERATIONS="${SCANBRIDGE_CRASH_ITERATIONS:-5000}" \
    swift test --skip-build --filter CrashSafetyTests
run fuzz env SCANBRIDGE_FUZZ_RUNS="${SCANBRIDGE_FUZZ_RUNS:-10000000}" Tests/Fuzz/run-fuzzers.sh 0
run readers env SCANBRIDGE_RFID_READS=100000 swift test --skip-build --filter ReaderEndToEndTests
exit "$status"
