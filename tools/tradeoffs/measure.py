#!/usr/bin/env python3
"""Builds and measures the two blogs (examples/blog-micro, examples/blog-fullstack) on this
machine, in one run, and writes docs/tradeoffs.md (and the raw figures in
docs/tradeoffs.json).

    python3 tools/tradeoffs/measure.py            # everything (about 25 minutes on 2 cores)
    python3 tools/tradeoffs/measure.py --quick    # no clean builds, shorter load runs

What it measures, for each blog:
  - lines of code (Rust and templates), counted by tokei (installed with cargo if missing);
  - dependencies: the distinct crates of `cargo tree -e normal`;
  - a clean release build (its own target folder), a debug rebuild after touching one
    handler (the edit-compile loop), and the release binary's size;
  - start-up to the first answered request, idle memory, and requests per second, p99
    latency and peak memory under load (wrk, the server pinned to CPU 1 and wrk to CPU 0, as
    ../shared/bench/run does) on the front page and a post page, over SQLite;
  - the behaviour suite (examples/blog-suite): its checks and its security checks passed;
  - the same suite against a *bare* build of each blog: a copy with its `measure: security`
    regions deleted, i.e. which security checks pass before any code was written for them;
  - the code each blog spends on security, and on one feature (admin-editable tags), from
    regions marked in the sources (`// measure: NAME` ... `// end measure: NAME`);
  - beside them, Flask and Django against micro and fullstack on the TechEmpower `fortunes`
    and `db` endpoints of ../shared/bench/run, when that harness is there.
Absolute figures move with the machine (it is shared); the ratios within one run are what the
page quotes.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("TRADEOFFS_WORK", "/tmp/tradeoffs-work"))
FIXTURE = ROOT / "examples/blog-suite/fixture.json"
BLOGS = {
    "micro": {
        "package": "blog-micro",
        "dir": ROOT / "examples/blog-micro",
        # The handler touched for the incremental rebuild.
        "handler": "src/blog.rs",
    },
    "fullstack": {
        "package": "blog-fullstack",
        "dir": ROOT / "examples/blog-fullstack",
        "handler": "src/blog/views.rs",
    },
}


def log(*args):
    print("[tradeoffs]", *args, file=sys.stderr, flush=True)


def run(cmd, **kw):
    """Runs `cmd`, failing loudly; its output."""
    kw.setdefault("cwd", ROOT)
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{res.stdout}\n{res.stderr}")
    return res.stdout


def tool(name, install):
    """The path of `name`, installing it with `install` (a command) when it is missing."""
    found = shutil.which(name) or (WORK / "tools/bin" / name if (WORK / "tools/bin" / name).exists() else None)
    if found:
        return str(found)
    log(f"installing {name}")
    subprocess.run(install, check=True, cwd=ROOT)
    found = shutil.which(name) or WORK / "tools/bin" / name
    return str(found)


def tokei_counts(tokei, blog):
    """Lines of code (tokei's `code`: neither blank nor comment) by language, and in all."""
    out = json.loads(run([tokei, "--output", "json", "src", "templates"], cwd=blog["dir"]))
    langs = {k: v["code"] for k, v in out.items() if k != "Total" and v.get("code")}
    return {"by_language": langs, "rust": langs.get("Rust", 0),
            "templates": sum(v for k, v in langs.items() if k != "Rust"),
            "total": sum(langs.values())}


def dependencies(package):
    out = run(["cargo", "tree", "-p", package, "-e", "normal", "--prefix", "none", "--locked"])
    crates = {re.sub(r" \(.*\)$", "", line.strip()).rsplit(" v", 1)[0]
              for line in out.splitlines() if line.strip()}
    crates.discard(package)
    return len(crates)


def timed(cmd, env=None, cwd=ROOT):
    start = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    took = time.monotonic() - start
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{res.stderr[-3000:]}")
    return took


def builds(name, blog, quick):
    """Clean release build, rebuild after touching a handler, binary size."""
    target = WORK / f"target-{name}"
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_TERM_COLOR="never")
    cmd = ["cargo", "build", "--release", "--locked", "-p", blog["package"]]
    clean = None
    if not quick or not (target / "release" / blog["package"]).exists():
        shutil.rmtree(target, ignore_errors=True)
        # Crates downloaded already: the clean build measures compiling, not the network.
        run(["cargo", "fetch", "--locked"])
        log(f"{name}: clean release build")
        clean = timed(cmd, env)
    else:
        timed(cmd, env)
    # The edit-compile loop is a debug build: build it once, then touch a handler and time the
    # rebuild (what a developer waits for after each change).
    debug = ["cargo", "build", "--locked", "-p", blog["package"]]
    log(f"{name}: debug build")
    timed(debug, env)
    handler = blog["dir"] / blog["handler"]
    os.utime(handler)
    log(f"{name}: debug rebuild after touching {blog['handler']}")
    rebuild = timed(debug, env)
    # A copy of the binary is what gets run: the bare build below shares the target folder.
    binary = WORK / "bin" / blog["package"]
    binary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target / "release" / blog["package"], binary)
    return {"clean_build_s": clean, "rebuild_s": rebuild,
            "binary_bytes": binary.stat().st_size}, binary


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid, field="VmRSS"):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


class Server:
    """One blog's release binary on a fresh, seeded SQLite database, pinned to CPU 1."""

    def __init__(self, name, binary):
        self.name = name
        self.binary = str(binary)
        self.dir = Path(tempfile.mkdtemp(prefix=f"tradeoffs-{name}-", dir=WORK))
        self.db = f"sqlite://{self.dir}/blog.sqlite3?mode=rwc"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, DATABASE_URL=self.db, RUST_LOG="warn",
                        HOST="127.0.0.1", PORT=str(self.port),
                        MICRO_SECRET_KEY="tradeoffs-measurement-key-0123456789abcdef",
                        FULLSTACK_DEBUG="false")
        self.proc = None

    def prepare(self):
        """The schema and the fixture (not timed: start-up is measured on a ready database)."""
        if self.name == "fullstack":
            run([self.binary, "migrate"], env=self.env, cwd=self.dir)
        run([self.binary, "seed", str(FIXTURE)], env=self.env, cwd=self.dir)

    def start(self):
        cmd = [self.binary]
        if self.name == "fullstack":
            cmd += ["runserver", f"127.0.0.1:{self.port}"]
        start = time.monotonic()
        # The server's log goes to a file: a pipe nobody reads would fill and stall it.
        self.log = open(self.dir / "server.log", "w")
        self.proc = subprocess.Popen(["taskset", "-c", "1", *cmd], env=self.env, cwd=self.dir,
                                     stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        while time.monotonic() - start < 30:
            try:
                with urllib.request.urlopen(self.base + "/", timeout=1) as res:
                    if res.status == 200:
                        return time.monotonic() - start
            except OSError:
                time.sleep(0.002)
        self.stop()
        raise SystemExit(f"{self.name} did not answer within 30 s: {(self.dir / 'server.log').read_text()[-3000:]}")

    def stop(self):
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)

    def pid(self):
        """The server process (taskset execs it, so the same pid)."""
        return self.proc.pid


def wrk(wrk_bin, url, duration):
    out = run(["taskset", "-c", "0", wrk_bin, "-t1", "-c32", f"-d{duration}s", "--latency", url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale,
            "non_2xx": int(errors.group(1)) if errors else 0}


def load(name, binary, wrk_bin, quick):
    server = Server(name, binary)
    server.prepare()
    started = server.start()
    try:
        time.sleep(1)
        idle = rss_kib(server.pid())
        post = "/posts/2021/09/01/hello-blog/"
        duration = 3 if quick else 8
        wrk(wrk_bin, server.base + "/", 1)  # warm-up
        front = wrk(wrk_bin, server.base + "/", duration)
        wrk(wrk_bin, server.base + post, 1)
        page = wrk(wrk_bin, server.base + post, duration)
        peak = rss_kib(server.pid(), "VmHWM")
    finally:
        server.stop()
    return {"startup_ms": started * 1000, "idle_rss_kib": idle, "peak_rss_kib": peak,
            "front_page": front, "post_page": page}


def suite(name, binary):
    """The behaviour suite against a fresh server: all its checks, and the security ones."""
    server = Server(name, binary)
    server.prepare()
    server.start()
    try:
        out = subprocess.run(["cargo", "run", "-q", "--release", "--locked", "-p", "blog-suite",
                              "--", server.base], capture_output=True, text=True, cwd=ROOT)
    finally:
        server.stop()
    lines = out.stdout.splitlines()
    if not any(l.startswith(("ok", "FAILED")) for l in lines):
        raise SystemExit(f"the suite ran no check against {name}:\n{out.stdout}\n{out.stderr}")
    security = [l for l in lines if "[security]" in l]
    return {"checks": sum(1 for l in lines if l.startswith(("ok", "FAILED"))),
            "passed": sum(1 for l in lines if l.startswith("ok")),
            "security_checks": len(security),
            "security_passed": sum(1 for l in security if l.startswith("ok")),
            "security_failed": [l.split(": ", 1)[1] for l in security if l.startswith("FAILED")],
            "security_ok": [l.split(": ", 1)[1] for l in security if l.startswith("ok")],
            "failed": [l for l in lines if l.startswith("FAILED")]}


MARK = re.compile(r"(?://|\{#)\s*measure:\s*([\w-]+)")
END = re.compile(r"(?://|\{#)\s*end measure:\s*([\w-]+)")


def sources(blog):
    """The files the regions are marked in: Rust sources and templates."""
    paths = list((blog["dir"] / "src").rglob("*.rs")) + list((blog["dir"] / "templates").rglob("*"))
    return [p for p in paths if p.is_file()]


def without_regions(text, names):
    """`text` with the regions called one of `names` deleted, their marker lines too."""
    kept, open_regions = [], []
    for line in text.splitlines(keepends=True):
        if m := END.search(line):
            dropped = bool(set(open_regions) & names)
            if m.group(1) in open_regions:
                open_regions.remove(m.group(1))
            if not dropped:
                kept.append(line)
            continue
        if m := MARK.search(line):
            open_regions.append(m.group(1))
        if not set(open_regions) & names:
            kept.append(line)
    return "".join(kept)


def bare_copy():
    """A copy of the workspace (the files git knows of, as they are now) whose blogs have their
    `measure: security` regions deleted, and the blogs renamed `NAME-bare` so that their
    binaries do not overwrite the measured ones in a shared target folder. The regions are
    written so that what is left compiles and does the naive thing (no check, no header)."""
    copy = WORK / "bare-src"
    shutil.rmtree(copy, ignore_errors=True)
    files = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]).split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            dst = copy / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    for blog in BLOGS.values():
        dir_ = copy / blog["dir"].relative_to(ROOT)
        deleted = 0
        for path in sources({"dir": dir_}):
            text = path.read_text()
            bare = without_regions(text, {"security"})
            deleted += text.count("\n") - bare.count("\n")
            path.write_text(bare)
        if not deleted:
            raise SystemExit(f"{blog['package']} has no `measure: security` region to delete")
        manifest = dir_ / "Cargo.toml"
        lib = blog["package"].replace("-", "_")
        text = manifest.read_text().replace(f'name = "{blog["package"]}"',
                                            f'name = "{blog["package"]}-bare"', 1)
        manifest.write_text(text + f'\n[lib]\nname = "{lib}"\n')
    return copy


def bare_build(name, blog, copy):
    """The bare blog's release binary, built in the measured build's target folder (only the
    workspace's own crates compile again)."""
    env = dict(os.environ, CARGO_TARGET_DIR=str(WORK / f"target-{name}"), CARGO_TERM_COLOR="never")
    package = f"{blog['package']}-bare"
    log(f"{name}: bare build (security regions deleted)")
    # Not --locked: the lock file names the package by its old name; --offline: nothing new.
    run(["cargo", "build", "--release", "--offline", "-p", package], env=env, cwd=copy)
    binary = WORK / "bin" / package
    shutil.copy2(WORK / f"target-{name}" / "release" / package, binary)
    return binary


def marked_regions(blog):
    """Lines of code (not blank, not only a comment) inside each `measure:` region."""
    counts = {}
    for path in sources(blog):
        open_regions = []
        for line in path.read_text().splitlines():
            if m := END.search(line):
                if m.group(1) in open_regions:
                    open_regions.remove(m.group(1))
                continue
            if m := MARK.search(line):
                open_regions.append(m.group(1))
                continue
            text = line.strip()
            if not text or text.startswith("//") or (text.startswith("{#") and text.endswith("#}")):
                continue
            for region in open_regions:
                counts[region] = counts.get(region, 0) + 1
    return counts


def peers(quick):
    """micro, fullstack, Flask and Django on the TechEmpower `fortunes` and `db` endpoints
    through ../shared/bench/run (when it is there): requests/s, one core each."""
    harness = ROOT.parent / "shared/bench/run"
    if not harness.exists():
        log(f"no {harness}: Flask and Django not measured")
        return None
    results = WORK / "peers"
    shutil.rmtree(results, ignore_errors=True)
    targets, endpoints = ["flask", "django", "micro", "fullstack"], ["fortunes", "db"]
    log("Flask, Django, micro and fullstack through the bench harness")
    run([str(harness), "--targets", "bench-targets", "--only", ",".join(targets),
         "--endpoints", ",".join(endpoints), "--duration", "3" if quick else "5",
         "--results", str(results)])
    out = {}
    for t in targets:
        for e in endpoints:
            text = (results / f"wrk-{t}-{e}.txt").read_text()
            rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
            out.setdefault(t, {})[e] = float(rps.group(1)) if rps else None
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="reuse earlier builds; short load runs")
    parser.add_argument("--peers-only", action="store_true",
                        help="keep docs/tradeoffs.json's blog figures, measure only the peers")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).parent))
    import report  # noqa: E402  (beside this file)
    if args.peers_only:
        figures = json.loads((ROOT / "docs/tradeoffs.json").read_text())
        figures["peers"] = peers(args.quick)
        figures["peers_measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        (ROOT / "docs/tradeoffs.json").write_text(json.dumps(figures, indent=2) + "\n")
        (ROOT / "docs/tradeoffs.md").write_text(report.render(figures))
        return
    tokei = tool("tokei", ["cargo", "install", "--locked", "--root", str(WORK / "tools"), "tokei"])
    wrk_bin = shutil.which("wrk")
    if not wrk_bin:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        wrk_bin = shutil.which("wrk")
    figures = {"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "machine": f"{os.cpu_count()} CPUs", "quick": args.quick, "blogs": {}}
    for name, blog in BLOGS.items():
        log(f"{name}: counting")
        f = {"lines": tokei_counts(tokei, blog), "dependencies": dependencies(blog["package"]),
             "regions": marked_regions(blog)}
        built, binary = builds(name, blog, args.quick)
        f.update(built)
        log(f"{name}: start-up and load")
        f.update(load(name, binary, wrk_bin, args.quick))
        log(f"{name}: behaviour suite")
        f["suite"] = suite(name, binary)
        figures["blogs"][name] = f
    copy = bare_copy()
    for name, blog in BLOGS.items():
        binary = bare_build(name, blog, copy)
        log(f"{name}: behaviour suite against the bare build")
        figures["blogs"][name]["bare_suite"] = suite(name, binary)
    figures["peers"] = peers(args.quick)
    (ROOT / "docs/tradeoffs.json").write_text(json.dumps(figures, indent=2) + "\n")
    (ROOT / "docs/tradeoffs.md").write_text(report.render(figures))
    log("wrote docs/tradeoffs.md and docs/tradeoffs.json")


if __name__ == "__main__":
    main()
