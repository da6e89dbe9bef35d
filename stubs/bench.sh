#!/usr/bin/env bash
# Durable submissions/s and catalogue reads/s of the reference portal, measured
# with wrk against `thongsuot stub` processes on 127.0.0.1 (client and servers
# share the machine, so figures are relative to it). Needs wrk (apt-get install wrk).
#
#   stubs/bench.sh [seconds-per-run]     (default 10)
#
# It builds ./cmd/thongsuot, starts identity and registry once, then a fresh portal
# per configuration, and prints a Markdown table. Every process it starts is
# stopped by its PID on exit.
set -euo pipefail
secs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 2; }
(cd "$root" && go build -o "$work/thongsuot" ./cmd/thongsuot)
bin=$work/thongsuot
id=127.0.0.1:18181 reg=127.0.0.1:18182 portal=127.0.0.1:18180

wait_ready() { for _ in $(seq 100); do curl -sf "http://$1/readyz" >/dev/null && return 0; sleep 0.1; done; echo "$1 not ready" >&2; exit 2; }

"$bin" stub identity --listen $id --citizens 1000 >"$work/identity.log" 2>&1 & pids+=($!)
"$bin" stub registry --listen $reg --citizens 1000 >"$work/registry.log" 2>&1 & pids+=($!)
wait_ready $id; wait_ready $reg

# The identity stub prints a level-2 citizen it knows.
person=$(sed -n 's/^example citizen (level 2): \([0-9]*\);.*/\1/p' "$work/identity.log")
token=$(curl -s -d "grant_type=password&username=$person&password=x&client_id=npsp" "http://$id/oauth2/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "no token for $person" >&2; exit 2; }
cat >"$work/submit.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"procedure_code":"1.001193","unit_code":"00004","form":{"child_name":"Nguyễn Minh An"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA

run_portal() {
	rm -rf "$work/data"
	"$bin" stub portal --listen $portal --data "$work/data" --identity "http://$id" --registry "http://$reg" "$@" >"$work/portal.log" 2>&1 &
	portal_pid=$!
	wait_ready $portal
}
stop_portal() { kill "$portal_pid"; wait "$portal_pid" 2>/dev/null || true; }
rate() { wrk -t1 -c64 -d"${secs}s" "$@" | awk '/Requests\/sec/ {printf "%.0f", $2}'; }
errors() { curl -s "http://$portal/metrics" | awk -v r="$1" '$0 ~ "^portal_http_requests_total" && index($0, r) && $0 !~ "code=\"20" {split($0, a, " "); s += a[2]} END {print s+0}'; }

echo "| what | configuration | req/s | non-2xx |"
echo "|---|---|---:|---:|"
for cfg in "group commit|" "group commit, applicant cache 60s|--applicant-cache 60s" "no group commit|--group-commit 1" "no group commit, applicant cache 60s|--group-commit 1 --applicant-cache 60s"; do
	name=${cfg%%|*} flags=${cfg#*|}
	# shellcheck disable=SC2086
	run_portal $flags
	r=$(rate -s "$work/submit.lua" "http://$portal/api/v1/dossiers")
	echo "| durable submits | $name | $r | $(errors 'POST /api/v1/dossiers') |"
	stop_portal
done
run_portal
echo "| catalogue read (one procedure) | default | $(rate "http://$portal/api/v1/procedures/1.001193") | $(errors 'GET /api/v1/procedures/{code}') |"
echo "| catalogue search (q=khai sinh) | default | $(rate "http://$portal/api/v1/procedures?q=khai+sinh") | $(errors 'GET /api/v1/procedures"') |"
echo "| units of a province | default | $(rate "http://$portal/api/v1/units?province=01") | $(errors 'GET /api/v1/units"') |"
stop_portal
