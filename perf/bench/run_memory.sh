#!/usr/bin/env bash
# Memory per idle connection of mqtk-bench: RSS of `conn -c N --hold` minus RSS of `conn -c 1`,
# divided by N-1, against a private mosquitto (max_connections unlimited) on loopback.
#
#   perf/bench/run_memory.sh [MQTK_BENCH] [N=10000] [IFADDRS]
#
# IFADDRS (e.g. 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4) spreads the source addresses for more
# connections than one address has ephemeral ports (about 28,000). Both processes need one file
# descriptor per connection: the script raises ulimit -n as far as the hard limit allows and
# says so when that is not enough.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=${1:-$root/build/tools/mqtk-bench}
n=${2:-10000}
ifaddrs=${3:-}
want=$((n + 256))
ulimit -n "$want" 2> /dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
  echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)): $n connections need $want; raise the hard limit (limits.conf, or docker --ulimit nofile=...)" >&2
  exit 1
fi
work=$(mktemp -d /tmp/mqtk-bench-mem.XXXXXX)
broker_pid=
trap '[ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_connections -1\nlog_dest none\n' "$port" > "$work/m.conf"
/usr/sbin/mosquitto -c "$work/m.conf" & broker_pid=$!
for _ in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.05; done

rss_of() {  # prints: max RSS (KiB), connections succeeded, failed, for conn -c $1 --hold 2
  local extra=()
  [ -n "$ifaddrs" ] && extra=(--ifaddr "$ifaddrs")
  "$bench" conn -p "$port" -c "$1" -R 5000 --hold 2 -k 600 --progress=none --json "${extra[@]}" > "$work/r.json"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=r["connections"]; print(r["resources"]["max_rss_kib"], c["succeeded"], c["failed"])' "$work/r.json"
}
read -r base _ _ < <(rss_of 1)
read -r rss ok failed < <(rss_of "$n")
broker_kib=$(awk '/VmHWM/ {print $2}' "/proc/$broker_pid/status")
echo "mqtk-bench conn -c $n (${ifaddrs:-one source address}): $ok connected, $failed failed"
echo "  max RSS $rss KiB, with 1 connection $base KiB: $(( (rss - base) * 1024 / (n - 1) )) bytes per connection"
echo "  mosquitto peak RSS $broker_kib KiB ($(( broker_kib * 1024 / n )) bytes per connection)"
