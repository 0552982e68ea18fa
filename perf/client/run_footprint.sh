#!/usr/bin/env bash
# Runs mqtk_client_footprint against a throw-away mosquitto on a free loopback port.
# usage: perf/client/run_footprint.sh [CLIENTS=2000] [MESSAGES=20000]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$root/build-perf/perf/mqtk_client_footprint}
ulimit -n 65536 2>/dev/null || true  # the broker and this process both hold one fd per client
work=$(mktemp -d -t mqtk-footprint.XXXXXX)
read -r port pid < <("$root/scripts/broker" "$work")
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" "mqtt://127.0.0.1:$port" "${1:-2000}" "${2:-20000}"
