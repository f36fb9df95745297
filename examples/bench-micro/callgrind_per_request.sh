#!/usr/bin/env bash
# User-space instructions and heap allocations per request of one server, under callgrind.
# Instruction counts do not move with the machine's load, so two builds or two configurations
# can be compared on a busy machine where wall-clock runs cannot resolve a few percent.
#
# usage: callgrind_per_request.sh BINARY PATH [SECONDS]
#   env: PORT (default 5299), SERVER_CPU (1), CLIENT_CPU (0), plus whatever the server reads
#   (DB_PATH, FULLSTACK_*...). Prints: instructions/request, malloc calls/request, requests.
#   KEEP=FILE keeps the callgrind dump there, for callgrind_annotate.
#
# The server runs under `valgrind --tool=callgrind` pinned to SERVER_CPU, `wrk -t1 -c32` on
# CLIENT_CPU: a warm-up, the counters zeroed, a measured run, a dump; the whole process's
# instructions (Ir) and calls to malloc are divided by the requests wrk completed in the run.
set -euo pipefail
binary=$1 path=$2 seconds=${3:-8}
port=${PORT:-5299} server_cpu=${SERVER_CPU:-1} client_cpu=${CLIENT_CPU:-0}
out=$(mktemp -d)
PORT=$port taskset -c "$server_cpu" valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" \
  "$binary" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$port$path" && break
  sleep 0.5
done
taskset -c "$client_cpu" wrk -t1 -c32 -d3s "http://127.0.0.1:$port$path" >/dev/null
callgrind_control -z "$pid" >/dev/null
requests=$(taskset -c "$client_cpu" wrk -t1 -c32 "-d${seconds}s" "http://127.0.0.1:$port$path" |
  sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
callgrind_control -d "$pid" >/dev/null
sleep 1
dump=$(ls -t "$out"/cg.*.* 2>/dev/null | head -1)
[[ -n ${KEEP:-} ]] && cp "$dump" "$KEEP"
ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$dump")
python3 - "$dump" "$ir" "$requests" <<'PY'
import re, sys
dump, ir, requests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# Sum the call counts of every call to malloc in the dump (cfn= names may be compressed: "(id) name"
# the first time, "(id)" afterwards).
names, malloc_ids, calls = {}, set(), 0
cfn = None
for line in open(dump, errors="replace"):
    m = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line.strip())
    if m:
        if m.group(2):
            names[m.group(1)] = m.group(2)
            if m.group(2) == "malloc":
                malloc_ids.add(m.group(1))
        cfn = m.group(1) if line.startswith("cfn=") else None
        continue
    if cfn is not None and line.startswith("calls="):
        if cfn in malloc_ids:
            calls += int(line.split("=")[1].split()[0])
        cfn = None
print(f"instructions/request {ir / requests:,.0f}  malloc/request {calls / requests:.1f}  requests {requests}")
PY
