#!/usr/bin/env bash
# Two builds of mqtk side by side, in one run: CPU time (user + sys) of `mqtk-decode --json` on
# one large capture, and of `mqtk-sub --json` receiving the same 5.0 messages (with content
# type, correlation data and user properties) at the same time from one mosquitto. Each round
# runs both builds (alternating which decode goes first); the medians over the rounds are
# printed as a Markdown table. Used to check that a change to the JSON writers costs nothing.
#
# usage: compare_builds.sh OLD_TOOLS_DIR NEW_TOOLS_DIR [ROUNDS=7] [SUB_MESSAGES=200000]
#   *_TOOLS_DIR  directories holding mqtk-decode, mqtk-sub and mqtk-pub (Release builds:
#                cmake --preset perf; build-perf/tools)
# env: CAPTURE=file  reuse a capture made by perf/decode/make_capture.sh (default: record one
#                    of 200,000 messages, ~400k MQTT packets)
# needs: mosquitto, tcpdump (for a new capture), python3
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
old=${1:?usage: compare_builds.sh OLD_TOOLS_DIR NEW_TOOLS_DIR [ROUNDS] [SUB_MESSAGES]}
new=${2:?usage: compare_builds.sh OLD_TOOLS_DIR NEW_TOOLS_DIR [ROUNDS] [SUB_MESSAGES]}
rounds=${3:-7}
sub_n=${4:-200000}
"$root/perf/install-peers" mosquitto tcpdump

work=$(mktemp -d "${TMPDIR:-/tmp}/mqtk-json-compare.XXXXXX")
broker_pid=
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

capture=${CAPTURE:-}
if [ -z "$capture" ]; then
  capture=$work/bench.pcap
  "$root/perf/decode/make_capture.sh" "$capture" 200000 > /dev/null
fi

# cpu_run OUT COMMAND...: runs COMMAND with its stdout to OUT and prints its CPU seconds,
# "user+sys user", from wait4's rusage in microseconds (GNU time rounds to 10 ms, the size of the
# differences looked for).
cpu_run() {
  python3 - "$@" << 'PY'
import os, sys
out, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
if status != 0:
    sys.exit(f"{argv[0]} failed: wait status {status}")
print(f"{usage.ru_utime + usage.ru_stime:.4f} {usage.ru_utime:.4f}")
PY
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# ---- mqtk-decode --json ---------------------------------------------------------------------
lines_old=$("$old/mqtk-decode" --json "$capture" | wc -l)
lines_new=$("$new/mqtk-decode" --json "$capture" | wc -l)
for r in $(seq 1 "$rounds"); do
  order="old new"
  [ $((r % 2)) -eq 0 ] && order="new old"
  for which in $order; do
    dir=$old
    [ "$which" = new ] && dir=$new
    cpu_run /dev/null "$dir/mqtk-decode" --json "$capture" >> "$work/decode.$which"
  done
done

# ---- mqtk-sub --json ------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/mosquitto.conf" << CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
log_dest none
CONF
[ "$(id -u)" -eq 0 ] && echo "user root" >> "$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" &
broker_pid=$!
for _ in $(seq 1 200); do (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null && break; sleep 0.05; done
seq -f '{"seq":%g,"t":21.37,"rh":48,"dev":"esp32-042"}' 1 "$sub_n" > "$work/lines"
for r in $(seq 1 "$rounds"); do
  topic=compare/$r
  sub_pids=()
  order="old new"
  [ $((r % 2)) -eq 0 ] && order="new old"  # the broker serves subscribers in subscription order
  for which in $order; do
    dir=$old
    [ "$which" = new ] && dir=$new
    rm -f "$work/ready.$which"
    cpu_run "$work/out.$which" "$dir/mqtk-sub" -p "$port" -V 5 -t "$topic" --json -C "$sub_n" \
      -W 300 --ready-file "$work/ready.$which" > "$work/t.$which" &
    sub_pids+=($!)
    for _ in $(seq 1 400); do [ -e "$work/ready.$which" ] && break; sleep 0.05; done
  done
  "$new/mqtk-pub" -p "$port" -V 5 -t "$topic" -q 0 -l -D publish content-type application/json \
    -D publish correlation-data 4bf92f3577b34da6 -D publish user-property origin gateway-7 < "$work/lines"
  wait "${sub_pids[@]}"
  for which in old new; do
    got=$(wc -l < "$work/out.$which")
    [ "$got" -eq "$sub_n" ] || echo "round $r: $which mqtk-sub printed $got of $sub_n lines" >&2
    cat "$work/t.$which" >> "$work/sub.$which"
  done
done
head -1 "$work/out.old" > "$work/line.old"
head -1 "$work/out.new" > "$work/line.new"

echo "capture: $(stat -c %s "$capture") bytes, $lines_old / $lines_new lines (old / new); $rounds rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | CPU s | old (median) | new (median) | new / old | all rounds old | all rounds new |"
echo "| --- | --- | ---: | ---: | ---: | --- | --- |"
for what in decode sub; do
  cmd="mqtk-decode --json FILE"
  [ "$what" = sub ] && cmd="mqtk-sub -V 5 --json, $sub_n messages"
  for column in 1 2; do
    kind="user+sys"
    [ $column = 2 ] && kind=user
    o=$(cut -d' ' -f$column "$work/$what.old" | median)
    n=$(cut -d' ' -f$column "$work/$what.new" | median)
    echo "| \`$cmd\` | $kind | $o | $n | $(python3 -c "print(f'{$n/$o:.3f}')") |" \
      "$(cut -d' ' -f$column "$work/$what.old" | paste -sd' ') | $(cut -d' ' -f$column "$work/$what.new" | paste -sd' ') |"
  done
done
echo
echo "old sub line: $(cat "$work/line.old")"
echo "new sub line: $(cat "$work/line.new")"
