#!/usr/bin/env bash
# Two builds of mqtk-pub on one private mosquitto, each publishing the same lines with
# `-l -q 1` to its own topic at the same time: CPU seconds (user + sys from /usr/bin/time) and
# wall seconds of each, per round. The publisher's counterpart of sub_side_by_side.sh, for
# "is this change slower?" on a shared machine: both see the same broker and the same load.
#
#   perf/pubsub/pub_side_by_side.sh BASE_MQTK_PUB NEW_MQTK_PUB [LINES=100000] [ROUNDS=6]
set -euo pipefail
DEFAULT_COUNT=100000
. "$(dirname "$0")/side_by_side_setup.sh"
echo "mosquitto on 127.0.0.1:$port; base $base; new $new; $n lines per round, -l -q 1"
total_base=0 total_new=0 wall_base=0 wall_new=0
for r in $(seq 1 "$rounds"); do
  pids=()
  for who in base new; do
    bin=$base
    [ "$who" = new ] && bin=$new
    /usr/bin/time -f "%U %S %e" -o "$work/time.$who" "$bin" -h 127.0.0.1 -p "$port" -t "side/$r/$who" -q 1 -l \
      < "$work/in" 2> /dev/null &
    pids+=($!)
  done
  wait "${pids[@]}"
  read -r bu bs be < "$work/time.base"
  read -r nu ns ne < "$work/time.new"
  cb=$(echo "$bu + $bs" | bc -l) cn=$(echo "$nu + $ns" | bc -l)
  total_base=$(echo "$total_base + $cb" | bc -l) total_new=$(echo "$total_new + $cn" | bc -l)
  wall_base=$(echo "$wall_base + $be" | bc -l) wall_new=$(echo "$wall_new + $ne" | bc -l)
  echo "round $r (load $(cut -d' ' -f1 /proc/loadavg)): CPU s base $cb, new $cn; wall s base $be, new $ne"
done
echo "total CPU s: base $total_base, new $total_new, new / base $(echo "scale=3; $total_new / $total_base" | bc -l)"
echo "total wall s: base $wall_base, new $wall_new, new / base $(echo "scale=3; $wall_new / $wall_base" | bc -l)"
