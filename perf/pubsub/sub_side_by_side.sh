#!/usr/bin/env bash
# Two builds of mqtk-sub on one private mosquitto, subscribed to the same topic and receiving the
# same QoS 0 messages at the same time (fed by mosquitto_pub -l): CPU seconds (user + sys from
# /usr/bin/time) of each, per round. For "is this change slower?": both see the same broker, the
# same load and the same batching, which separate runs on a shared machine do not.
#
#   perf/pubsub/sub_side_by_side.sh BASE_MQTK_SUB NEW_MQTK_SUB [MESSAGES=200000] [ROUNDS=6]
set -euo pipefail
DEFAULT_COUNT=200000
. "$(dirname "$0")/side_by_side_setup.sh"
echo "mosquitto on 127.0.0.1:$port; base $base; new $new; $n messages per round"
total_base=0 total_new=0
for r in $(seq 1 "$rounds"); do
  pids=()
  for who in base new; do
    bin=$base
    [ "$who" = new ] && bin=$new
    /usr/bin/time -f "%U %S" -o "$work/time.$who" "$bin" -h 127.0.0.1 -p "$port" -t "side/$r" -C "$n" -W 300 \
      --ready-file "$work/ready.$who.$r" > "$work/out.$who" 2> /dev/null &
    pids+=($!)
  done
  for _ in $(seq 1 400); do
    [ -e "$work/ready.base.$r" ] && [ -e "$work/ready.new.$r" ] && break
    sleep 0.05
  done
  mosquitto_pub -h 127.0.0.1 -p "$port" -t "side/$r" -q 0 -l < "$work/in"
  wait "${pids[@]}"
  cmp -s "$work/out.base" "$work/out.new" || echo "round $r: the outputs differ" >&2
  read -r bu bs < "$work/time.base"
  read -r nu ns < "$work/time.new"
  cb=$(echo "$bu + $bs" | bc -l) cn=$(echo "$nu + $ns" | bc -l)
  total_base=$(echo "$total_base + $cb" | bc -l) total_new=$(echo "$total_new + $cn" | bc -l)
  printf 'round %d (load %s): CPU s base %.2f, new %.2f\n' "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$cb" "$cn"
done
printf 'total CPU s: base %.2f, new %.2f, new / base %.3f\n' "$total_base" "$total_new" \
  "$(echo "$total_new / $total_base" | bc -l)"
