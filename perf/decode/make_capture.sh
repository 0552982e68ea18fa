#!/usr/bin/env bash
# Records a large real MQTT capture for the mqtk-decode benchmark: a private mosquitto on a
# free loopback port, tcpdump on that port, `mosquitto_pub -l` sending LINES messages (one per
# line) to a `mosquitto_sub` on the same topic. Every message crosses the wire twice, so the
# capture holds about 2 x LINES MQTT packets.
#
# usage: make_capture.sh OUT.pcap [LINES]   (prints the port used on stdout)
# needs: mosquitto, mosquitto-clients, tcpdump (root or CAP_NET_RAW for tcpdump -i lo)
set -euo pipefail

out=${1:?usage: make_capture.sh OUT.pcap [LINES]}
lines=${2:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mqtk-decode-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A port nobody listens on: bind to 0 and take what the kernel hands out.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat > "$work/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
log_dest none
CONF
mosquitto -c "$work/mosquitto.conf" &
pids+=($!)

# Payloads of a sensor-reading size: a JSON object of about 40 bytes.
python3 - "$lines" > "$work/lines.txt" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print('{"seq":%d,"t":%.2f,"rh":%d,"dev":"esp32-%03d"}' % (i, 20 + (i % 700) / 100, 40 + i % 30, i % 256))
PY

for _ in $(seq 50); do
  mosquitto_pub -p "$port" -t probe -n 2>/dev/null && break
  sleep 0.1
done

tcpdump -i lo -U --immediate-mode -B 65536 -s 0 -w "$out" "tcp port $port" 2>"$work/tcpdump.err" &
tcpdump_pid=$!
pids+=($tcpdump_pid)
for _ in $(seq 50); do grep -q listening "$work/tcpdump.err" && break; sleep 0.1; done

mosquitto_sub -p "$port" -t 'bench/#' -C "$lines" -W 120 > /dev/null &
sub_pid=$!
pids+=($sub_pid)
sleep 1
mosquitto_pub -p "$port" -t bench/data -l < "$work/lines.txt"
wait "$sub_pid" || echo "make_capture: the subscriber did not see every message (QoS 0 may drop)" >&2
sleep 1
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
grep -E "captured|dropped" "$work/tcpdump.err" >&2 || true
echo "$port"
