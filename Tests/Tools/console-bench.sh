#!/usr/bin/env bash
# console-bench.sh [sqlite|postgres] [AGENTS] [EVENTS_PER_AGENT]: how fast the fleet console
# answers on a big store (docs/performance.md, "Fleet console").
#
# Fills a fresh receiver store with AGENTS agents (default 1000) of EVENTS_PER_AGENT events each
# (default 10000: 10 million in all) by bulk SQL — the schema comes from the receiver's own
# migrations (`receive consumer add` opens the store) — then serves it with
# `scanbridge-tools receive` and times GET / and GET /agents/{id} over HTTP with curl, ROUNDS
# times each (default 20), after two warm-up requests. Prints the query plans of the console's
# queries too.
#
# The fleet: every 1000th event of an agent is a notice (device.attached, schema.drift_detected,
# payload.quarantined, payload.released naming the quarantine before it, device.firmware_changed),
# the rest scans; every 10th agent lags an hour, every 50th has been silent for two hours, every
# 100th is missing five events (seq 1001-1005).
#
# postgres needs SCANBRIDGE_TEST_POSTGRES_URL: run it as
#   Tests/Tools/with-postgres.sh Tests/Tools/console-bench.sh postgres
# SCANBRIDGE_TOOLS names the binary (default .build/release/scanbridge-tools if built, else
# .build/debug/scanbridge-tools). Everything it creates goes on exit, whatever happens.
set -euo pipefail

backend=${1:-sqlite}
agents=${2:-1000}
per=${3:-10000}
rounds=${ROUNDS:-20}
cd "$(dirname "$0")/../.."
tools=${SCANBRIDGE_TOOLS:-}
if [ -z "$tools" ]; then
    tools=.build/debug/scanbridge-tools
    [ -x .build/release/scanbridge-tools ] && tools=.build/release/scanbridge-tools
fi
[ -x "$tools" ] || { echo "$0: $tools is not built — swift build first" >&2; exit 1; }
[ "$per" -ge 2000 ] || { echo "$0: EVENTS_PER_AGENT must be at least 2000" >&2; exit 2; }

dir=$(mktemp -d /tmp/console-bench-XXXXXX)
receiver=""
database=""
cleanup() {
    if [ -n "$receiver" ]; then
        kill "$receiver" 2>/dev/null || true
        wait "$receiver" 2>/dev/null || true
    fi
    if [ -n "$database" ]; then
        psql -q "$SCANBRIDGE_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now=$(date -u +%s)
case "$backend" in
sqlite) store="$dir/receiver.sqlite" ;;
postgres)
    : "${SCANBRIDGE_TEST_POSTGRES_URL:?run under Tests/Tools/with-postgres.sh}"
    database="console_bench_$$"
    psql -q "$SCANBRIDGE_TEST_POSTGRES_URL" -c "CREATE DATABASE $database"
    store="${SCANBRIDGE_TEST_POSTGRES_URL%/*}/$database"
    [[ "$SCANBRIDGE_TEST_POSTGRES_URL" == *\?* ]] && store="$store?${SCANBRIDGE_TEST_POSTGRES_URL#*\?}"
    ;;
*) echo "usage: $0 [sqlite|postgres] [AGENTS] [EVENTS_PER_AGENT]" >&2; exit 2 ;;
esac

token=$("$tools" receive consumer add --store "$store" --name bench)

echo "filling $backend: $agents agents × $per events = $((agents * per)) events"
fill_started=$(date +%s)
if [ "$backend" = sqlite ]; then
    sqlite3 "$store" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;
BEGIN;
WITH RECURSIVE a(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM a WHERE i < $agents)
INSERT INTO receiver_agents (agent_id, last_batch_seq, last_sha256, last_event_seq, last_occurred_at, last_occurred_us,
                             event_count, created_at)
SELECT printf('agent-%04d', i), $per / 500, 'bench', $per,
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', $now - (CASE WHEN i % 10 = 0 THEN 3600 ELSE 0 END) - i % 60, 'unixepoch'),
       ($now - (CASE WHEN i % 10 = 0 THEN 3600 ELSE 0 END) - i % 60) * 1000000,
       $per - CASE WHEN i % 100 = 0 THEN 5 ELSE 0 END,
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', $now - 86400, 'unixepoch')
FROM a;
INSERT INTO receiver_keys (kid, agent_id, x, enrolled_at)
SELECT 'kid-' || agent_id, agent_id, 'x', created_at FROM receiver_agents;
WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i < $agents * ($per / 500) - 1)
INSERT INTO receiver_batches (agent_id, batch_seq, sha256, prev_sha256, first_seq, last_seq, body, jws, kid, received_at,
                              feed_position)
SELECT printf('agent-%04d', i / ($per / 500) + 1), i % ($per / 500) + 1, 'bench', NULL,
       (i % ($per / 500)) * 500 + 1, (i % ($per / 500) + 1) * 500, x'7b7d', 'jws',
       printf('kid-agent-%04d', i / ($per / 500) + 1),
       strftime('%Y-%m-%dT%H:%M:%S.000000Z',
                $now - CASE WHEN (i / ($per / 500) + 1) % 50 = 0 THEN 7200 ELSE 5 END
                     - ($per / 500 - 1 - i % ($per / 500)) * 30, 'unixepoch'),
       i + 1
FROM b;
COMMIT;
SQL
    # The events in a second transaction: 10 million rows in (agent_id, seq) order.
    sqlite3 "$store" >/dev/null <<SQL
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $agents * $per - 1),
e AS (
    SELECT i / $per + 1 AS agent, i % $per + 1 AS seq,
           CASE WHEN (i % $per + 1) % 1000 <> 0 THEN 'barcode.scanned'
                WHEN ((i % $per + 1) / 1000) % 5 = 0 THEN 'device.attached'
                WHEN ((i % $per + 1) / 1000) % 5 = 1 THEN 'schema.drift_detected'
                WHEN ((i % $per + 1) / 1000) % 5 = 2 THEN 'payload.quarantined'
                WHEN ((i % $per + 1) / 1000) % 5 = 3 THEN 'payload.released'
                ELSE 'device.firmware_changed' END AS type,
           strftime('%Y-%m-%dT%H:%M:%S.000000Z',
                    $now - (CASE WHEN (i / $per + 1) % 10 = 0 THEN 3600 ELSE 0 END) - (i / $per + 1) % 60
                         - ($per - i % $per - 1), 'unixepoch') AS occurred_at
    FROM n
)
INSERT INTO receiver_events (agent_id, seq, id, type, occurred_at, batch_seq, body)
SELECT printf('agent-%04d', agent), seq, printf('0190d3a8-0000-7000-8000-%012x', agent * 100000 + seq), type,
       occurred_at, (seq - 1) / 500 + 1,
       CAST(printf('{"id":"0190d3a8-0000-7000-8000-%012x","seq":%d,"type":"%s","occurred_at":"%s",'
                   || '"device":{"id":"scale-%d","firmware":"%s","transport":"serial","profile":"acme-scale@2"},'
                   || '"data":%s%s}',
                   agent * 100000 + seq, seq, type, occurred_at, seq % 3, CASE WHEN seq > $per / 2 THEN '2.1' ELSE '2.0' END,
                   CASE type
                       WHEN 'barcode.scanned' THEN '{"text":"]C10109501101530003","gtin":"09501101530003"}'
                       WHEN 'payload.quarantined' THEN printf('{"quarantine_id":%d,"profile":"acme-scale@2","reason":"schema: /qty must be a string","errors":[],"length":12}', seq)
                       WHEN 'payload.released' THEN printf('{"quarantine_id":%d,"released_as":"barcode.scanned","profile":"acme-scale@3"}', seq - 1000)
                       WHEN 'schema.drift_detected' THEN '{"fingerprint":"f2","paths":["/qty"],"previous":"f1","profile":"acme-scale@2","example_raw":"e30="}'
                       WHEN 'device.firmware_changed' THEN '{"old":"2.0","new":"2.1","profile":"acme-scale@2"}'
                       ELSE '{"devnode":"/dev/ttyUSB0","matched_by":"path"}' END,
                   CASE WHEN type = 'barcode.scanned' THEN ',"raw":"XUMxMDEwOTUwMTEwMTUzMDAwMw=="' ELSE '' END) AS BLOB)
FROM e
WHERE NOT (agent % 100 = 0 AND seq BETWEEN 1001 AND 1005);
COMMIT;
ANALYZE;
SQL
else
    psql -q "$store" >/dev/null <<SQL
SET synchronous_commit = off;
INSERT INTO receiver_agents (agent_id, last_batch_seq, last_sha256, last_event_seq, last_occurred_at, last_occurred_us,
                             event_count, created_at)
SELECT format('agent-%s', lpad(i::text, 4, '0')), $per / 500, 'bench', $per,
       to_char(to_timestamp($now - (CASE WHEN i % 10 = 0 THEN 3600 ELSE 0 END) - i % 60) AT TIME ZONE 'UTC',
               'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       ($now - (CASE WHEN i % 10 = 0 THEN 3600 ELSE 0 END) - i % 60)::bigint * 1000000,
       $per - CASE WHEN i % 100 = 0 THEN 5 ELSE 0 END, to_timestamp($now - 86400)
FROM generate_series(1, $agents) AS i;
INSERT INTO receiver_keys (kid, agent_id, x, enrolled_at)
SELECT 'kid-' || agent_id, agent_id, 'x', created_at FROM receiver_agents;
INSERT INTO receiver_batches (agent_id, batch_seq, sha256, prev_sha256, first_seq, last_seq, body, jws, kid, received_at,
                              feed_position)
SELECT format('agent-%s', lpad((i / ($per / 500) + 1)::text, 4, '0')), i % ($per / 500) + 1, 'bench', NULL,
       (i % ($per / 500)) * 500 + 1, (i % ($per / 500) + 1) * 500, '\x7b7d'::bytea, 'jws',
       format('kid-agent-%s', lpad((i / ($per / 500) + 1)::text, 4, '0')),
       to_timestamp($now - CASE WHEN (i / ($per / 500) + 1) % 50 = 0 THEN 7200 ELSE 5 END
                         - ($per / 500 - 1 - i % ($per / 500)) * 30),
       i + 1
FROM generate_series(0, $agents * ($per / 500) - 1) AS i;
UPDATE receiver_feed SET last_position = $agents * ($per / 500);
INSERT INTO receiver_events (agent_id, seq, id, type, occurred_at, batch_seq, body)
SELECT format('agent-%s', lpad(agent::text, 4, '0')), seq, format('0190d3a8-0000-7000-8000-%s', lpad(to_hex(agent * 100000 + seq), 12, '0')),
       type, occurred_at, (seq - 1) / 500 + 1,
       convert_to(format('{"id":"0190d3a8-0000-7000-8000-%s","seq":%s,"type":"%s","occurred_at":"%s",'
                   || '"device":{"id":"scale-%s","firmware":"%s","transport":"serial","profile":"acme-scale@2"},'
                   || '"data":%s%s}',
                   lpad(to_hex(agent * 100000 + seq), 12, '0'), seq, type, occurred_at, seq % 3,
                   CASE WHEN seq > $per / 2 THEN '2.1' ELSE '2.0' END,
                   CASE type
                       WHEN 'barcode.scanned' THEN '{"text":"]C10109501101530003","gtin":"09501101530003"}'
                       WHEN 'payload.quarantined' THEN format('{"quarantine_id":%s,"profile":"acme-scale@2","reason":"schema: /qty must be a string","errors":[],"length":12}', seq)
                       WHEN 'payload.released' THEN format('{"quarantine_id":%s,"released_as":"barcode.scanned","profile":"acme-scale@3"}', seq - 1000)
                       WHEN 'schema.drift_detected' THEN '{"fingerprint":"f2","paths":["/qty"],"previous":"f1","profile":"acme-scale@2","example_raw":"e30="}'
                       WHEN 'device.firmware_changed' THEN '{"old":"2.0","new":"2.1","profile":"acme-scale@2"}'
                       ELSE '{"devnode":"/dev/ttyUSB0","matched_by":"path"}' END,
                   CASE WHEN type = 'barcode.scanned' THEN ',"raw":"XUMxMDEwOTUwMTEwMTUzMDAwMw=="' ELSE '' END), 'UTF8')
FROM (
    SELECT i / $per + 1 AS agent, i % $per + 1 AS seq,
           CASE WHEN (i % $per + 1) % 1000 <> 0 THEN 'barcode.scanned'
                ELSE (ARRAY['device.attached', 'schema.drift_detected', 'payload.quarantined', 'payload.released',
                            'device.firmware_changed'])[((i % $per + 1) / 1000) % 5 + 1] END AS type,
           to_char(to_timestamp($now - (CASE WHEN (i / $per + 1) % 10 = 0 THEN 3600 ELSE 0 END) - (i / $per + 1) % 60
                                - ($per - i % $per - 1)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at
    FROM generate_series(0::bigint, $agents::bigint * $per - 1) AS i
) AS e
WHERE NOT (agent % 100 = 0 AND seq BETWEEN 1001 AND 1005);
VACUUM ANALYZE;
SQL
fi
echo "filled in $(($(date +%s) - fill_started)) s"

port=$((20000 + RANDOM % 40000))
"$tools" receive --listen "127.0.0.1:$port" --store "$store" --log-level warning >"$dir/receiver.log" 2>&1 &
receiver=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$dir/receiver.log" >&2; exit 1; }

# time PATH: ROUNDS requests after two warm-ups; prints median, 90th percentile and max in ms.
time_path() {
    local url="http://127.0.0.1:$port$1"
    local status
    status=$(curl -s -o "$dir/page.html" -w '%{http_code}' -H "Authorization: Bearer $token" "$url")
    [ "$status" = 200 ] || { echo "$1 answered $status" >&2; cat "$dir/receiver.log" >&2; exit 1; }
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$url"
    for _ in $(seq 1 "$rounds"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"
    done | sort -n | awk -v path="$1" -v bytes="$(wc -c <"$dir/page.html")" '
        { t[NR] = $1 * 1000 }
        END { printf "%-26s median %7.1f ms   p90 %7.1f ms   max %7.1f ms   (%d requests, %d bytes)\n",
              path, t[int((NR + 1) / 2)], t[int(NR * 0.9 + 0.5)], t[NR], NR, bytes }'
}

echo "timing over HTTP with $tools:"
time_path "/"
time_path "/?page=10"
time_path "/agents/$(printf 'agent-%04d' $((agents / 2 + 1)))"
[ "$agents" -ge 100 ] && time_path "/agents/agent-0100"   # five events missing: the gap query runs

echo "query plans:"
if [ "$backend" = sqlite ]; then
    notices="SELECT agent_id, seq, type, occurred_at FROM receiver_events WHERE type IN ('device.attached', 'device.firmware_changed', 'schema.drift_detected', 'payload.quarantined', 'payload.released')"
    sqlite3 "$store" "EXPLAIN QUERY PLAN $notices ORDER BY agent_id, seq;" \
        "EXPLAIN QUERY PLAN $notices AND agent_id = '$(printf 'agent-%04d' $((agents / 2 + 1)))' ORDER BY agent_id, seq;" \
        "EXPLAIN QUERY PLAN SELECT a.agent_id, b.received_at FROM receiver_agents a LEFT JOIN receiver_batches b ON b.agent_id = a.agent_id AND b.batch_seq = a.last_batch_seq ORDER BY a.agent_id;"
else
    notices="SELECT agent_id, seq, type, occurred_at FROM receiver_events WHERE type IN ('device.attached', 'device.firmware_changed', 'schema.drift_detected', 'payload.quarantined', 'payload.released')"
    psql -q "$store" -c "EXPLAIN ANALYZE $notices ORDER BY agent_id, seq" \
        -c "EXPLAIN ANALYZE $notices AND agent_id = '$(printf 'agent-%04d' $((agents / 2 + 1)))' ORDER BY agent_id, seq" \
        -c "EXPLAIN ANALYZE SELECT a.agent_id, b.received_at FROM receiver_agents a LEFT JOIN receiver_batches b ON b.agent_id = a.agent_id AND b.batch_seq = a.last_batch_seq ORDER BY a.agent_id"
fi
