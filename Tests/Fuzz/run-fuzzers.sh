#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS (default 60) on a scratch copy of the
# committed corpus. Exits non-zero if a fuzzer finds a crash, a hang (timeout) or runs out of
# memory; the reproducer is left in the artifact directory printed below. Copy a reproducer
# into Tests/Fuzz/Corpus/<target>/ and `swift test` replays it from then on.
#
#   Tests/Fuzz/run-fuzzers.sh 120            # every target
#   SCANBRIDGE_FUZZ_RUNS=10000000 Tests/Fuzz/run-fuzzers.sh 0   # a number of executions instead of a time
#   Tests/Fuzz/run-fuzzers.sh 600 schema     # one target: barcode, epc, schema, mercury, chafon, em4100, readerlines, keystrokes, hidreports, codings, receiver
#
# `receiver` drives the receiver's intake and feed over a real SQLite store, signing and
# verifying Ed25519 per input: about 150 executions/s under the fuzzer's instrumentation, so
# it always runs for SECONDS (or SCANBRIDGE_FUZZ_RECEIVER_SECONDS), never for a number of runs.
set -euo pipefail

seconds="${1:-60}"
only="${2:-}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

flags=(--sanitize=fuzzer -Xswiftc -parse-as-library --scratch-path .build-fuzz)
bin="$(swift build "${flags[@]}" --show-bin-path)"
work="$(mktemp -d "${TMPDIR:-/tmp}/scanbridge-fuzz.XXXXXX")"
echo "fuzz work directory: $work"
status=0
for target in barcode epc schema mercury chafon em4100 readerlines keystrokes hidreports codings receiver; do
    [ -n "$only" ] && [ "$only" != "$target" ] && continue
    case "$target" in
        barcode) product=FuzzBarcode; extra=() ;;
        epc) product=FuzzEPC; extra=() ;;
        schema) product=FuzzSchema; extra=(-dict=Tests/Fuzz/schema.dict) ;;
        mercury) product=FuzzMercury; extra=() ;;
        chafon) product=FuzzChafon; extra=() ;;
        em4100) product=FuzzEM4100; extra=() ;;
        readerlines) product=FuzzReaderLines; extra=() ;;
        keystrokes) product=FuzzKeystrokes; extra=() ;;
        hidreports) product=FuzzHIDReports; extra=() ;;
        codings) product=FuzzBodyCodings; extra=() ;;
        receiver) product=FuzzReceiverRequest; extra=() ;;
    esac
    budget="-max_total_time=$seconds"
    if [ "$target" = receiver ]; then
        budget="-max_total_time=${SCANBRIDGE_FUZZ_RECEIVER_SECONDS:-$([ "$seconds" -gt 0 ] && echo "$seconds" || echo 3600)}"
    elif [ -n "${SCANBRIDGE_FUZZ_RUNS:-}" ]; then
        budget="-runs=$SCANBRIDGE_FUZZ_RUNS"
    fi
    swift build "${flags[@]}" --product "$product"
    mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
    cp Tests/Fuzz/Corpus/"$target"/* "$work/$target/corpus/"
    echo "== $product ($budget)"
    if ! SWIFT_BACKTRACE=enable=no "$bin/$product" "${extra[@]}" \
        "$budget" -rss_limit_mb=2048 -timeout=10 -max_len=8192 \
        -artifact_prefix="$work/$target/artifacts/" \
        "$work/$target/corpus" 2>"$work/$target/log.txt"; then
        echo "$product FAILED; log: $work/$target/log.txt, reproducers:"
        ls -l "$work/$target/artifacts/"
        tail -n 40 "$work/$target/log.txt"
        status=1
    else
        grep -E "^Done|stat::number_of_executed_units" "$work/$target/log.txt" | tail -n 1 || tail -n 2 "$work/$target/log.txt"
    fi
done
exit "$status"
