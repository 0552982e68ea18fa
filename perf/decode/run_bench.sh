#!/usr/bin/env bash
# mqtk-decode against tshark on the same large capture, in one run: wall time, CPU time and
# peak RSS of each (GNU time), and the ratios. Results go to stdout as a Markdown table.
#
# usage: run_bench.sh [MQTK_DECODE] [LINES]
#   MQTK_DECODE  the built tool (default: build-perf/tools/mqtk-decode: cmake --preset perf)
#   LINES        messages to publish (default 200000, i.e. ~400k MQTT packets, ~25 MB)
# env: CAPTURE=file PORT=n reuse a capture made earlier by make_capture.sh instead of a new one
#      (a quick small run: CAPTURE=tests/data/captures/burst_qos0.pcapng PORT=18883, a committed
#      recording of 4,000 QoS 0 publishes)
# needs: tshark, tcpdump, mosquitto, mosquitto-clients, GNU time (/usr/bin/time)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
decode=${1:-$root/build-perf/tools/mqtk-decode}
"$root/perf/install-peers" tshark tcpdump time mosquitto mosquitto-clients
lines=${2:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mqtk-decode-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [[ -n "${CAPTURE:-}" ]]; then
  capture=$CAPTURE
  port=${PORT:?PORT must be given with CAPTURE}
else
  capture=$work/bench.pcap
  port=$("$here/make_capture.sh" "$capture" "$lines")
fi
size=$(stat -c %s "$capture")
packets=$("$decode" --json "$capture" | wc -l)
echo "capture: $capture, $size bytes, $packets MQTT packets, port $port" >&2

# Runs a command with its output to /dev/null; prints "wall_s user_s sys_s max_rss_kb".
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" || {
    echo "failed: $*" >&2
    cat "$work/stderr.txt" >&2
  }
  cat "$work/time.txt"
}

declare -A result
run() {
  local name=$1
  shift
  result[$name]=$(measure "$@")
  echo "$name: ${result[$name]}" >&2
}

run mqtk_json "$decode" --json "$capture"
# From a pipe the capture is streamed rather than mapped: the peak RSS then shows the
# decoder's own memory, bounded by the open connections rather than the file size.
run mqtk_json_stdin sh -c "exec '$decode' --json - < '$capture'"
run mqtk_json_nlohmann "$decode" --json --json-engine nlohmann "$capture"
run mqtk_summary "$decode" --json --summary-only "$capture"
run mqtk_text "$decode" "$capture"
run tshark_ek tshark -r "$capture" -d "tcp.port==$port,mqtt" -T ek
run tshark_fields tshark -r "$capture" -d "tcp.port==$port,mqtt" -T fields \
  -e frame.number -e mqtt.msgtype -e mqtt.topic

wall() { echo "${result[$1]}" | cut -d' ' -f1; }
cpu() { echo "${result[$1]}" | awk '{printf "%.2f", $2 + $3}'; }
rss() { echo "${result[$1]}" | cut -d' ' -f4; }
ratio() { python3 -c "print(f'{$1/$2:.1f}')"; }

echo "| run | command | wall s | CPU s (user+sys) | peak RSS MiB |"
echo "| --- | --- | ---: | ---: | ---: |"
for name in mqtk_json mqtk_json_stdin mqtk_json_nlohmann mqtk_summary mqtk_text tshark_ek tshark_fields; do
  case $name in
    mqtk_json) cmd="mqtk-decode --json FILE" ;;
    mqtk_json_stdin) cmd="mqtk-decode --json - < FILE" ;;
    mqtk_json_nlohmann) cmd="mqtk-decode --json --json-engine nlohmann" ;;
    mqtk_summary) cmd="mqtk-decode --json --summary-only" ;;
    mqtk_text) cmd="mqtk-decode (text trace)" ;;
    tshark_ek) cmd="tshark -d tcp.port==PORT,mqtt -T ek" ;;
    tshark_fields) cmd="tshark -d tcp.port==PORT,mqtt -T fields -e frame.number -e mqtt.msgtype -e mqtt.topic" ;;
  esac
  echo "| $name | \`$cmd\` | $(wall $name) | $(cpu $name) | $(python3 -c "print(f'{$(rss $name)/1024:.1f}')") |"
done
echo
echo "capture: $size bytes, $packets MQTT packets"
echo "mqtk-decode --json vs tshark -T ek: $(ratio "$(wall tshark_ek)" "$(wall mqtk_json)")x faster in wall time, $(ratio "$(cpu tshark_ek)" "$(cpu mqtk_json)")x in CPU time (target >= 30x)"
echo "mqtk-decode --json vs tshark -T fields: $(ratio "$(wall tshark_fields)" "$(wall mqtk_json)")x faster in wall time, $(ratio "$(cpu tshark_fields)" "$(cpu mqtk_json)")x in CPU time (target >= 10x)"
echo "fast JSON writer vs nlohmann writer: $(ratio "$(wall mqtk_json_nlohmann)" "$(wall mqtk_json)")x in wall time, $(ratio "$(cpu mqtk_json_nlohmann)" "$(cpu mqtk_json)")x in CPU time"
