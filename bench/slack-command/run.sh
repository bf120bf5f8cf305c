#!/usr/bin/env bash
# The slash-command benchmark (BENCHMARKS.md, "Slash commands"): one signed
# `/hs help` request, loaded with wrk on the same machine, against
#   hub      a release `hubbub serve` (SQLite, fresh data folder)
#   bare     `hubbub-loadgen baseline-slack`: bare axum, signature check only
#   bolt-js  Bolt for JavaScript (bolt-app.js)
#   bolt-py  Bolt for Python, AsyncApp on uvicorn, one worker (bolt_app.py)
# each on its own loopback port, in one run, and prints one table.
#
#   bench/slack-command/run.sh
#
# Settings (environment): DURATION (20s), CONNECTIONS (16), ROUNDS (2),
# RUST_LOG (unset: the hub's default, info), NO_BUILD=1 (use the release
# binaries as they are), COMPARE_HUB=path (a second hub binary, loaded
# beside the first as hub-2), OUT (folder for the raw wrk output; a new
# temporary one by default), SEED_CONTACTS=N (create N contacts in the
# hub before loading it; for the `/hs search` run to come, unused by the
# help run).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$ROOT/target/release
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-$(mktemp -d -t hs-bench.XXXX)}
mkdir -p "$OUT"

# Loopback only; ports far from the hub's default 8080.
HUB_ADDR=127.0.0.1:28941
BARE_ADDR=127.0.0.1:28942
BOLT_JS_PORT=28943
BOLT_PY_PORT=28944
declare -A URL=(
  [hub]=http://$HUB_ADDR/slack/commands
  [bare]=http://$BARE_ADDR/slack/commands
  [bolt-js]=http://127.0.0.1:$BOLT_JS_PORT/slack/commands
  [bolt-py]=http://127.0.0.1:$BOLT_PY_PORT/slack/commands
)
SERVERS=(hub bare bolt-js bolt-py)
declare -A PID

fail() { echo "run.sh: $*" >&2; exit 1; }

# --- What the run needs, installed if missing -------------------------------

if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "wrk is missing: apt-get install -y wrk"
  apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in node npm python3 openssl jq curl; do
  command -v "$tool" >/dev/null || fail "$tool is missing"
done
# Bolt for JavaScript at the version package-lock.json pins.
[ -d "$HERE/node_modules/@slack/bolt" ] || (cd "$HERE" && npm ci --no-audit --no-fund)
# Bolt for Python in its own virtualenv, at requirements.txt's versions.
if [ ! -x "$HERE/.venv/bin/uvicorn" ]; then
  python3 -m venv "$HERE/.venv"
  "$HERE/.venv/bin/pip" install --disable-pip-version-check -q -r "$HERE/requirements.txt"
fi
if [ "${NO_BUILD:-}" != 1 ]; then
  (cd "$ROOT" && cargo build --release -p hubbub -p hubbub-loadgen)
fi

# --- The servers --------------------------------------------------------------

DATA=$(mktemp -d -t hs-bench-data.XXXX)
cleanup() {
  for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

# A secret of this run only, known to all four servers and to the signer.
SECRET=$(openssl rand -hex 16)
export SLACK_SIGNING_SECRET=$SECRET

# Waits until something answers HTTP on $1 (any status), for up to 30 s.
wait_up() {
  for _ in $(seq 300); do
    curl -s -o /dev/null -X POST "$1" && return 0
    sleep 0.1
  done
  fail "nothing answers at $1"
}

# A hub as BENCHMARKS.md's "Reproduce" starts it: a fresh SQLite folder
# and an account. The Slack workspace of the request is connected to no
# account; `/hs help` answers the same either way.
start_hub() { # NAME BINARY ADDRESS
  export HUBBUB_DATA_DIR=$DATA/$1 HUBBUB_LISTEN=$3
  "$2" admin create-account --name Bench --admin-email bench@example.com \
    --admin-password 'bench-password-1' >/dev/null
  "$2" serve 2>"$OUT/$1.log" &
  PID[$1]=$!
  wait_up "${URL[$1]}"
}
start_hub hub "$BIN/hubbub" "$HUB_ADDR"
# Another build side by side (COMPARE_HUB=path/to/hubbub), e.g. before a
# change to the request path.
if [ -n "${COMPARE_HUB:-}" ]; then
  URL[hub-2]=http://127.0.0.1:28945/slack/commands
  SERVERS=(hub hub-2 bare bolt-js bolt-py)
  start_hub hub-2 "$COMPARE_HUB" 127.0.0.1:28945
  export HUBBUB_DATA_DIR=$DATA/hub HUBBUB_LISTEN=$HUB_ADDR
fi

if [ -n "${SEED_CONTACTS:-}" ]; then
  # For `/hs search`: contacts as the batch-create benchmark makes them.
  HUBBUB_TOKEN=$("$BIN/hubbub" admin create-token --account 1 | jq -r .token)
  "$BIN/hubbub-loadgen" create --url "http://$HUB_ADDR" --token "$HUBBUB_TOKEN" \
    --contacts "$SEED_CONTACTS" --batch 100 --concurrency 4
fi

# The request, as Slack sends it. The signature is computed right before
# each use: every server refuses a timestamp older than five minutes.
export HS_BODY='token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0BENCH01&team_domain=hubbub-bench&channel_id=C0BENCH01&channel_name=general&user_id=U0BENCH01&user_name=maria&command=%2Fhs&text=help&api_app_id=A0BENCH01&is_enterprise_install=false&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0BENCH01%2F8047292838545%2FkRdVc0vJ3xTt9mQzLw2aYpEb&trigger_id=8047292838561.8030384215813.6a3f0c9e2b7d4e51a8c6f0d2b9e4a7c1'
sign() {
  HS_TIMESTAMP=$(date +%s)
  HS_SIGNATURE=v0=$(printf 'v0:%s:%s' "$HS_TIMESTAMP" "$HS_BODY" |
    openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')
  export HS_TIMESTAMP HS_SIGNATURE
}
# POSTs the signed request to $1, writes the body to $2, prints the status.
post() {
  sign
  curl -s -o "$2" -w '%{http_code}' -X POST "$1" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Slack-Request-Timestamp: $HS_TIMESTAMP" -H "X-Slack-Signature: $HS_SIGNATURE" \
    --data-binary "$HS_BODY"
}

# The hub's answer, once: the others answer exactly it.
status=$(post "${URL[hub]}" "$OUT/help.json")
[ "$status" = 200 ] || fail "the hub answered $status: $(cat "$OUT/help.json")"
jq -e '.response_type == "ephemeral" and (.blocks | length) > 0' "$OUT/help.json" >/dev/null ||
  fail "the hub's answer is not /hs help's: $(cat "$OUT/help.json")"
export HS_HELP_JSON=$OUT/help.json

"$BIN/hubbub-loadgen" baseline-slack --listen "$BARE_ADDR" --answer "$HS_HELP_JSON" >/dev/null &
PID[bare]=$!
(cd "$HERE" && PORT=$BOLT_JS_PORT exec node bolt-app.js) >"$OUT/bolt-js.log" 2>&1 &
PID[bolt-js]=$!
# One worker, no access log (the hub logs no line per request either).
(cd "$HERE" && exec .venv/bin/uvicorn bolt_app:api --host 127.0.0.1 --port "$BOLT_PY_PORT" \
  --workers 1 --loop uvloop --http httptools --no-access-log --log-level warning) \
  >"$OUT/bolt-py.log" 2>&1 &
PID[bolt-py]=$!
for name in bare bolt-js bolt-py; do wait_up "${URL[$name]}"; done

# Each must answer the signed request with 200 and the same JSON, and
# refuse it unsigned.
expected=$(jq -cS . "$OUT/help.json")
for name in "${SERVERS[@]}"; do
  status=$(post "${URL[$name]}" "$OUT/check-$name.json")
  [ "$status" = 200 ] || fail "$name answered $status: $(cat "$OUT/check-$name.json")"
  [ "$(jq -cS . "$OUT/check-$name.json")" = "$expected" ] ||
    fail "$name's answer differs from the hub's: $(cat "$OUT/check-$name.json")"
  unsigned=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${URL[$name]}" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$HS_BODY")
  [ "$unsigned" = 401 ] || fail "$name answered $unsigned to an unsigned request"
  echo "$name: 200, the help JSON ($(wc -c <"$OUT/check-$name.json") bytes), unsigned 401"
done

# --- The load -------------------------------------------------------------------

steal() { awk '/^cpu /{print $9}' /proc/stat; }
steal_before=$(steal)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A RESULT
for round in $(seq "$ROUNDS"); do
  for name in "${SERVERS[@]}"; do
    sign
    # Anything else running shows here: the one-minute load average.
    load=$(cut -d' ' -f1 /proc/loadavg)
    steal_at=$(steal)
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/hs.lua" "${URL[$name]}" \
      >"$OUT/wrk-$name-$round.txt"
    rss=$(ps -o rss= -p "${PID[$name]}" | tr -d ' ')
    line=$(grep '^HS_RESULT' "$OUT/wrk-$name-$round.txt") || fail "no result from wrk for $name"
    # CPU time the host took back during the run (1/100 s, both cores).
    stolen=$(($(steal) - steal_at))
    RESULT[$name,$round]="$line rss_kb=$rss steal=$stolen load=$load"
    echo "round $round $name: ${line#HS_RESULT } rss_kb=$rss steal=$stolen load_before=$load"
    sleep 2
  done
done
echo "CPU steal during the load: $(($(steal) - steal_before)) ticks"

# --- The table --------------------------------------------------------------------

# field NAME ROUND KEY: one figure of one run.
field() { tr ' ' '\n' <<<"${RESULT[$1,$2]}" | awk -F= -v k="$3" '$1 == k {print $2}'; }
# joined NAME KEY SCALE FORMAT: the figure of every round, "a / b".
joined() {
  local out="" r
  for r in $(seq "$ROUNDS"); do
    out+=${out:+ / }$(awk -v v="$(field "$1" "$r" "$2")" -v s="$3" -v f="$4" 'BEGIN {printf f, v / s}')
  done
  echo "$out"
}
# mean NAME KEY: the mean over the rounds.
mean() {
  local r
  for r in $(seq "$ROUNDS"); do field "$1" "$r" "$2"; done | awk '{s += $1} END {print s / NR}'
}

echo
echo "| server | requests/s | p50 ms | p99 ms | RSS MiB | errors |"
echo "|---|---|---|---|---|---|"
for name in "${SERVERS[@]}"; do
  echo "| $name | $(joined "$name" rps 1 %.0f) | $(joined "$name" p50_us 1000 %.2f)" \
    "| $(joined "$name" p99_us 1000 %.2f) | $(joined "$name" rss_kb 1024 %.1f)" \
    "| $(joined "$name" errors 1 %d) |"
done
hub=$(mean hub rps)
echo
awk -v h="$hub" -v js="$(mean bolt-js rps)" -v py="$(mean bolt-py rps)" -v b="$(mean bare rps)" 'BEGIN {
  printf "hub / Bolt JS requests/s: %.1f (goal: at least 10)\n", h / js
  printf "hub / Bolt Python requests/s: %.1f\n", h / py
  printf "hub / bare axum requests/s: %.2f\n", h / b
}'
[ -z "${COMPARE_HUB:-}" ] || awk -v h="$hub" -v h2="$(mean hub-2 rps)" \
  'BEGIN {printf "hub / hub-2 requests/s: %.2f\n", h / h2}'
echo "raw output: $OUT"
