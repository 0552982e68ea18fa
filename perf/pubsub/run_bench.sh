#!/usr/bin/env bash
# mqtk-pub / mqtk-sub against mosquitto_pub / mosquitto_sub, on one private mosquitto, in one run.
#
#   perf/pubsub/run_bench.sh [BIN_DIR] [SUB_MESSAGES=200000] [PUB_LINES=100000]
#
# BIN_DIR holds mqtk-pub/ and mqtk-sub/ (a Release build's tools/ directory; default
# build-perf/tools: cmake --preset perf). Needs mosquitto, mosquitto-clients and GNU time (/usr/bin/time).
#
# 1. Receive: mqtk-sub and mosquitto_sub, both subscribed to the same topic (mqtk-sub signals
#    with --ready-file, mosquitto_sub by its subscription in the broker log), receive the same
#    SUB_MESSAGES QoS 0 messages into files, in two rounds: published by mosquitto_pub -l, then
#    by mqtk-pub -l. CPU seconds (user + sys from /usr/bin/time) of each. Target: mqtk ≤ 0.5 × mosquitto_sub.
# 2. Publish: mqtk-pub -l -q 1 and mosquitto_pub -l -q 1 each publish PUB_LINES lines (one
#    after the other, to separate topics); a subscriber counts what the broker delivered: first
#    mqtk-sub (the target is judged with it: the lightest counter leaves the two cores to the
#    broker and the publisher being measured), then mosquitto_sub, for comparison.
#    Delivered messages per second = delivered / publisher wall time. Target: mqtk ≥ 2 ×, and
#    all PUB_LINES delivered by mqtk.
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/perf/install-peers" mosquitto mosquitto-clients time bc

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build-perf/tools}
sub_n=${2:-200000}
pub_n=${3:-100000}
mqtk_pub=$bin/mqtk-pub/mqtk-pub
mqtk_sub=$bin/mqtk-sub/mqtk-sub
[ -x "$mqtk_pub" ] || mqtk_pub=$bin/mqtk-pub
[ -x "$mqtk_sub" ] || mqtk_sub=$bin/mqtk-sub
for p in "$mqtk_pub" "$mqtk_sub" /usr/sbin/mosquitto mosquitto_pub mosquitto_sub /usr/bin/time; do
  command -v "$p" > /dev/null || { echo "missing: $p" >&2; exit 1; }
done

work=$(mktemp -d /tmp/mqtk-pubsub-bench.XXXXXX)
broker_pid=
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2> /dev/null || true
  for p in $(jobs -p); do kill "$p" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/mosquitto.conf" << EOF
listener $port 127.0.0.1
allow_anonymous true
log_dest stderr
log_type error
log_type warning
log_type notice
log_type subscribe
# No queue limits: every message reaches every subscriber, however slow.
max_queued_messages 0
max_queued_bytes 0
EOF
# As root, mosquitto would switch to user "mosquitto", which cannot read the temp dir.
[ "$(id -u)" -eq 0 ] && echo "user root" >> "$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" > "$work/broker.out" 2> "$work/broker.log" &
broker_pid=$!
for _ in $(seq 1 200); do
  (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null && break
  sleep 0.05
done

wait_for() {  # wait_for SECONDS COMMAND...
  local limit=$(($1 * 20)); shift
  for _ in $(seq 1 $limit); do "$@" && return 0; sleep 0.05; done
  echo "timed out waiting for: $*" >&2
  return 1
}

echo "mosquitto $(/usr/sbin/mosquitto -h 2>&1 | head -1 | awk '{print $3}') on 127.0.0.1:$port; mqtk from $bin"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. receive -----------------------------------------------------------------------------
# Twice: fed by mosquitto_pub -l (one message per wake-up, mostly) and by mqtk-pub -l (bursts).
seq -f 'message %06g {"sensor":"t-01","value":21.5,"unit":"C"}' 1 "$sub_n" > "$work/sub_input"
receive_run() {  # receive_run ROUND PUBLISHER...
  local round=$1; shift
  local topic=bench/sub/$round
  rm -f "$work/ready"
  /usr/bin/time -f "%U %S %e" -o "$work/time.mqtk_sub" \
    "$mqtk_sub" -h 127.0.0.1 -p "$port" -t "$topic" -C "$sub_n" -W 300 --ready-file "$work/ready" \
    > "$work/out.mqtk_sub" 2> "$work/err.mqtk_sub" &
  local mqtk_sub_pid=$!
  /usr/bin/time -f "%U %S %e" -o "$work/time.mosquitto_sub" \
    mosquitto_sub -h 127.0.0.1 -p "$port" -t "$topic" -C "$sub_n" -W 300 -i "bench-msub-$round" \
    > "$work/out.mosquitto_sub" 2> "$work/err.mosquitto_sub" &
  local mosq_sub_pid=$!
  wait_for 20 test -e "$work/ready"
  wait_for 20 grep -q "bench-msub-$round 0 $topic" "$work/broker.log"
  "$@" -h 127.0.0.1 -p "$port" -t "$topic" -q 0 -l < "$work/sub_input"
  wait "$mqtk_sub_pid" || echo "mqtk-sub exit $?: $(cat "$work/err.mqtk_sub")" >&2
  wait "$mosq_sub_pid" || echo "mosquitto_sub exit $?: $(cat "$work/err.mosquitto_sub")" >&2
  local same mu ms me ou os oe
  if cmp -s "$work/out.mqtk_sub" "$work/out.mosquitto_sub"; then same=identical; else same=DIFFERENT; fi
  read -r mu ms me < "$work/time.mqtk_sub"
  read -r ou os oe < "$work/time.mosquitto_sub"
  echo
  echo "== receive $sub_n QoS 0 messages ($(wc -c < "$work/sub_input") bytes), published by $(basename "$1") -l"
  printf '%-14s %9s %8s %8s %8s %8s\n' tool lines user_s sys_s cpu_s wall_s
  printf '%-14s %9d %8.2f %8.2f %8.2f %8.2f\n' mqtk-sub "$(wc -l < "$work/out.mqtk_sub")" "$mu" "$ms" \
    "$(echo "$mu + $ms" | bc -l)" "$me"
  printf '%-14s %9d %8.2f %8.2f %8.2f %8.2f\n' mosquitto_sub "$(wc -l < "$work/out.mosquitto_sub")" "$ou" "$os" \
    "$(echo "$ou + $os" | bc -l)" "$oe"
  echo "outputs: $same"
  echo "CPU ratio mqtk-sub / mosquitto_sub: $(echo "scale=3; ($mu + $ms) / ($ou + $os)" | bc -l) (target <= 0.5)"
}
receive_run mosqpub mosquitto_pub
receive_run mqtkpub "$mqtk_pub"

# ---- 2. publish -----------------------------------------------------------------------------
seq -f 'line %06g {"sensor":"t-01","value":21.5}' 1 "$pub_n" > "$work/pub_input"
broker_ticks() { awk '{print $14 + $15}' "/proc/$broker_pid/stat"; }
start_counter() {  # start_counter COUNTER NAME TOPIC: subscribes, returns once subscribed
  local counter=$1 name=$2 topic=$3
  if [ "$counter" = mqtk-sub ]; then
    rm -f "$work/ready.$name"
    /usr/bin/time -f "%U %S" -o "$work/ctime.$name" "$mqtk_sub" -h 127.0.0.1 -p "$port" -t "$topic" -q 0 -C "$pub_n" -W 60 -i "count-$name" \
      --ready-file "$work/ready.$name" > "$work/count.$name" 2> /dev/null &
    counter_pid=$!
    wait_for 20 test -e "$work/ready.$name"
  else
    /usr/bin/time -f "%U %S" -o "$work/ctime.$name" \
      mosquitto_sub -h 127.0.0.1 -p "$port" -t "$topic" -q 0 -C "$pub_n" -W 60 -i "count-$name" \
      > "$work/count.$name" 2> /dev/null &
    counter_pid=$!
    wait_for 20 grep -q "count-$name 0 $topic" "$work/broker.log"
  fi
}
publish_run() {  # publish_run COUNTER NAME COMMAND...
  local counter=$1 name=$2; shift 2
  local topic=bench/pub/$name/$counter
  start_counter "$counter" "$name" "$topic"
  local start end rc=0 b0 b1
  b0=$(broker_ticks)
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S %e" -o "$work/time.$name" "$@" -h 127.0.0.1 -p "$port" -t "$topic" -q 1 -l \
    < "$work/pub_input" 2> "$work/err.$name" || rc=$?
  end=$(date +%s.%N)
  b1=$(broker_ticks)
  # Whatever is still on its way arrives within a second; the counter then ends by -W or -C.
  for _ in $(seq 1 40); do
    [ "$(wc -l < "$work/count.$name")" -ge "$pub_n" ] && break
    sleep 0.05
  done
  # A counter short of PUB_LINES (mosquitto_pub's case) is stopped: SIGINT to the counter
  # itself (under /usr/bin/time), so that time still writes its CPU seconds.
  pkill -INT -P "$counter_pid" 2> /dev/null || true
  wait "$counter_pid" 2> /dev/null || true
  local cu=0 cs=0
  [ -s "$work/ctime.$name" ] && read -r cu cs < <(tail -1 "$work/ctime.$name")
  local delivered wall
  delivered=$(wc -l < "$work/count.$name")
  wall=$(echo "$end - $start" | bc -l)
  read -r u s e < "$work/time.$name"
  local rate
  rate=$(echo "$delivered / $wall" | bc -l)
  printf '%-14s %6d %9d %8.2f %10.0f %8.2f %13.2f %14.2f\n' "$name" "$rc" "$delivered" "$wall" "$rate" \
    "$(echo "$u + $s" | bc -l)" "$(echo "($b1 - $b0) / $(getconf CLK_TCK)" | bc -l)" \
    "$(echo "$cu + $cs" | bc -l)"
  if [ "$delivered" -eq "$pub_n" ] && ! cmp -s "$work/count.$name" "$work/pub_input"; then
    echo "  ($name: all lines delivered, but not in order or changed)"
  fi
  [ -s "$work/err.$name" ] && echo "  $name stderr: $(head -c 300 "$work/err.$name" | tr '\n' ' ')"
  eval "rate_$name=$rate"
  return 0
}
# The counter is measuring equipment, and it shares the two cores with the broker and the
# publisher: mqtk-sub (the lighter one, section 1) is the counter the target is judged with;
# mosquitto_sub counts a second round, for comparison.
for counter in mqtk-sub mosquitto_sub; do
  echo
  echo "== publish $pub_n lines with -l -q 1 (delivered = counted by $counter)"
  printf '%-14s %6s %9s %8s %10s %8s %13s %14s\n' tool exit delivered wall_s msg_per_s cpu_s broker_cpu_s counter_cpu_s
  publish_run "$counter" mqtk_pub "$mqtk_pub"
  publish_run "$counter" mosquitto_pub mosquitto_pub
  publish_run "$counter" mqtk_pub_M100 "$mqtk_pub" -M 100   # information: a wider in-flight window
  echo "rate ratio mqtk-pub / mosquitto_pub, counted by $counter: $(echo "scale=2; $rate_mqtk_pub / $rate_mosquitto_pub" | bc -l) (target >= 2)"
done
