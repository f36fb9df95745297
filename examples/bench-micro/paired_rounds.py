#!/usr/bin/env python3
"""Paired benchmark rounds: two or more servers side by side, compared round by round.

On a shared machine single benchmark runs swing by +-15 %, more than the differences worth
measuring between fast servers. This script starts every server at once (each pinned to the same
CPU, wrk on another), then runs wrk against them in turn, round after round, alternating the
order. Each round gives every server's requests/sec and CPU time per request (utime + stime from
/proc, before and after its wrk run); the ratios to the first server, taken within each round,
are what it reports: their median and interquartile range.

usage: paired_rounds.py PATH ROUNDS SECONDS NAME=BINARY [NAME=BINARY ...]

  paired_rounds.py /plaintext 20 3 hyper=$BENCH_WORK/target/release/bench-hyper \\
      micro=target/release/bench-micro

Each server gets PORT (5201, 5202, ...) and DB_PATH ($BENCH_WORK/bench.db, made by the harness)
in its environment. Environment: BENCH_WORK (default /tmp/bench-work), SERVER_CPU (default 1),
CLIENT_CPU (default 0). Needs wrk and taskset.
"""

import os
import re
import statistics
import subprocess
import sys
import time


def cpu_ticks(pid):
    """utime and stime of a process, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def wrk(cpu, port, path, seconds):
    """Runs wrk; returns the number of requests it completed."""
    out = subprocess.run(
        ["taskset", "-c", cpu, "wrk", "-t1", "-c32", f"-d{seconds}s",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True).stdout
    return int(re.search(r"(\d+) requests in", out).group(1))


def quartiles(values):
    values = sorted(values)
    at = lambda f: values[int(f * (len(values) - 1))]
    return statistics.median(values), at(0.25), at(0.75)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    path, rounds, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    targets = [arg.split("=", 1) for arg in sys.argv[4:]]
    work = os.environ.get("BENCH_WORK", "/tmp/bench-work")
    server_cpu = os.environ.get("SERVER_CPU", "1")
    client_cpu = os.environ.get("CLIENT_CPU", "0")
    tick = os.sysconf("SC_CLK_TCK")

    servers = {}
    for i, (name, binary) in enumerate(targets):
        port = 5201 + i
        env = dict(os.environ, PORT=str(port), DB_PATH=f"{work}/bench.db")
        proc = subprocess.Popen(["setsid", "taskset", "-c", server_cpu, binary], env=env,
                                cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers[name] = (proc, port)
    try:
        time.sleep(2)
        for proc, port in servers.values():
            wrk(client_cpu, port, path, 2)  # warm-up
        rps = {name: [] for name, _ in targets}
        cpu = {name: [] for name, _ in targets}
        for r in range(rounds):
            for name, _ in (targets if r % 2 == 0 else targets[::-1]):
                proc, port = servers[name]
                before = cpu_ticks(proc.pid)
                requests = wrk(client_cpu, port, path, seconds)
                after = cpu_ticks(proc.pid)
                used = (after[0] - before[0]) + (after[1] - before[1])
                rps[name].append(requests / seconds)
                cpu[name].append(used / tick * 1e6 / requests)
        base = targets[0][0]
        print(f"{path}, {rounds} rounds of {seconds} s; medians")
        for name, _ in targets:
            print(f"  {name:12} {statistics.median(rps[name]):9.0f} req/s"
                  f"  {statistics.median(cpu[name]):7.2f} µs CPU/request")
        for name, _ in targets[1:]:
            r = quartiles([a / b for a, b in zip(rps[name], rps[base])])
            c = quartiles([a / b for a, b in zip(cpu[name], cpu[base])])
            print(f"  {name}/{base}: req/s {r[0]:.3f} (IQR {r[1]:.3f}-{r[2]:.3f}),"
                  f" CPU/request {c[0]:.3f} (IQR {c[1]:.3f}-{c[2]:.3f})")
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
