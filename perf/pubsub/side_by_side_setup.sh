# Sourced by sub_side_by_side.sh and pub_side_by_side.sh: reads BASE NEW [COUNT] [ROUNDS] (with
# the caller's DEFAULT_COUNT), starts one private mosquitto (port, broker_pid, stopped on exit)
# in a fresh work directory, and writes COUNT message lines to $work/in.
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/perf/install-peers" mosquitto mosquitto-clients time bc
base=${1:?usage: $0 BASE NEW [COUNT] [ROUNDS]}
new=${2:?usage: $0 BASE NEW [COUNT] [ROUNDS]}
n=${3:-$DEFAULT_COUNT}
rounds=${4:-6}
work=$(mktemp -d /tmp/mqtk-side-by-side.XXXXXX)
read -r port broker_pid < <("$root/scripts/broker" "$work")
trap 'kill "$broker_pid" 2> /dev/null || true; rm -rf "$work"' EXIT
seq -f 'message %06g {"sensor":"t-01","value":21.5,"unit":"C"}' 1 "$n" > "$work/in"
