"""Writes docs/tradeoffs.md from the figures measure.py took: each claim of the articles the
project answers, quoted, and the figure that answers it, with what the figure says worded from
the numbers themselves (so a new run can turn a verdict around)."""


def ratio(a, b):
    return a / b if a and b else None


def compare(a, b, more="more", less="less", same="about the same"):
    """How `a` compares to `b`: `more` when 20 % above, `less` when 20 % below."""
    r = ratio(a, b)
    if r is None:
        return "not comparable"
    if r > 1.2:
        return f"{r:.1f}× {more}"
    if r < 1 / 1.2:
        return f"{1 / r:.1f}× {less}"
    return same


def mib(kib):
    return f"{kib / 1024:.1f} MiB" if kib else "n/a"


def secs(s):
    return "not measured (--quick)" if s is None else f"{s:.0f} s" if s >= 10 else f"{s:.1f} s"


def security_lines(blog):
    """The lines a blog wrote for security: its `security` regions and its password hashing."""
    return blog["regions"].get("security", 0) + blog["regions"].get("passwords", 0)


def bare_passed(blog):
    bare = blog.get("bare_suite")
    return bare["security_passed"] if bare else None


def about_authors(check):
    """Whether a security check is about who may change a post (the app's own rule)."""
    return "by another user" in check or check == "and the post is unchanged"


def bare_verdict(bare):
    """What the bare fullstack blog lost, said from the checks it failed."""
    others = [c for c in bare["security_failed"] if not about_authors(c)]
    if not others:
        return ("The author check is the application's own rule, which no framework can know, "
                "so both lose it; every other check blog-fullstack still passes, because the "
                "framework does it by default.")
    return (f"Besides the author check (the application's own rule), blog-fullstack fails "
            f"{len(others)} more: its defaults do not cover them.")


def render(figures):
    m, f = figures["blogs"]["micro"], figures["blogs"]["fullstack"]
    out = []
    w = out.append
    w("# Micro or fullstack: the trade-offs, measured\n")
    w("The same blog written twice, [`examples/blog-micro`](../examples/blog-micro) the way a "
      "Flask developer writes it (micro, hand-written SQL through sqlx, a signed cookie "
      "session, edit pages instead of an admin) and "
      "[`examples/blog-fullstack`](../examples/blog-fullstack) the way a Django developer "
      "does (the ORM and migrations, ModelForms, the auth app, the admin, generic views, the "
      "feeds framework). Both pass the same behaviour suite "
      "([`examples/blog-suite`](../examples/blog-suite/SPEC.md)). Every figure below comes "
      f"from one run of `python3 tools/tradeoffs/measure.py` on this machine "
      f"({figures['machine']}, shared, so absolute times move between runs: compare the two "
      f"columns, not runs), on {figures['measured_at']}"
      + (" in `--quick` mode (no clean builds, short load runs)" if figures["quick"] else "")
      + ". The raw figures are in [`tradeoffs.json`](tradeoffs.json).\n")

    w("## The figures\n")
    w("| | blog-micro | blog-fullstack | fullstack vs micro |")
    w("|---|---|---|---|")
    rows = [
        ("Rust, lines of code (tokei)", m["lines"]["rust"], f["lines"]["rust"], str),
        ("templates, lines", m["lines"]["templates"], f["lines"]["templates"], str),
        ("crates it depends on (`cargo tree`)", m["dependencies"], f["dependencies"], str),
        ("clean release build", m["clean_build_s"], f["clean_build_s"], secs),
        ("debug rebuild after touching one handler", m["rebuild_s"], f["rebuild_s"], secs),
        ("release binary", m["binary_bytes"] / 2**20, f["binary_bytes"] / 2**20, lambda v: f"{v:.1f} MiB"),
        ("start-up to the first answered request", m["startup_ms"], f["startup_ms"], lambda v: f"{v:.0f} ms"),
        ("memory when idle (RSS)", m["idle_rss_kib"], f["idle_rss_kib"], mib),
        ("peak memory under load (VmHWM)", m["peak_rss_kib"], f["peak_rss_kib"], mib),
        ("front page, requests/s (one core)", m["front_page"]["rps"], f["front_page"]["rps"], lambda v: f"{v:,.0f}"),
        ("front page, p99 latency", m["front_page"]["p99_ms"], f["front_page"]["p99_ms"], lambda v: f"{v:.1f} ms"),
        ("post page, requests/s (one core)", m["post_page"]["rps"], f["post_page"]["rps"], lambda v: f"{v:,.0f}"),
        ("post page, p99 latency", m["post_page"]["p99_ms"], f["post_page"]["p99_ms"], lambda v: f"{v:.1f} ms"),
        ("behaviour suite, checks passed", m["suite"]["passed"], f["suite"]["passed"], str),
        ("security checks passed", m["suite"]["security_passed"], f["suite"]["security_passed"], str),
        ("security checks passed before any security code (bare build)", bare_passed(m), bare_passed(f), str),
        ("lines written for security by hand", security_lines(m), security_lines(f), str),
        ("lines for one admin-editable model (tags)", m["regions"].get("tags-admin", 0), f["regions"].get("tags-admin", 0), str),
    ]
    for label, a, b, fmt in rows:
        r = ratio(b, a)
        w(f"| {label} | {fmt(a) if a is not None else 'n/a'} | {fmt(b) if b is not None else 'n/a'} | "
          f"{f'{r:.2f}×' if r else ''} |")
    w("")
    w(f"Load: `wrk -t1 -c32` for {3 if figures['quick'] else 8} s after a 1 s warm-up, wrk on "
      "CPU 0 and the server on CPU 1 (`taskset`, as `../shared/bench/run` does), SQLite, the "
      "suite's fixture loaded; the post page is `/posts/2021/09/01/hello-blog/` (a post with "
      "its tags, two comments and the comment form). Lines are tokei's `code` (neither blank "
      "nor comment) in `src/` and `templates/`; the security and tags lines are the lines "
      "inside the regions marked `measure: security` (and `measure: passwords`) and "
      "`measure: tags-admin` in each blog's sources. The bare build is a copy of each blog "
      "with its `measure: security` regions deleted, run through the same suite.\n")

    w("## The claims\n")
    lighter_build = compare(f["clean_build_s"], m["clean_build_s"], "longer", "shorter")
    w("### “Django is bloated for small projects”; “Flask is lightweight: faster startup, lower resources”\n")
    w(f"- Code to write: blog-fullstack is {compare(f['lines']['total'], m['lines']['total'], 'larger', 'smaller')} "
      f"({f['lines']['total']} lines against {m['lines']['total']}), and it has an admin that "
      "blog-micro does not have at all.")
    w(f"- What it costs to build: {f['dependencies']} crates against {m['dependencies']}; a clean "
      f"release build {lighter_build}; a binary {compare(f['binary_bytes'], m['binary_bytes'], 'larger', 'smaller')}; "
      f"a debug rebuild after one handler changed (the edit-compile loop) "
      f"{compare(f['rebuild_s'], m['rebuild_s'], 'longer', 'shorter')}.")
    w(f"- What it costs to run: start-up {compare(f['startup_ms'], m['startup_ms'], 'slower', 'faster')} "
      f"({f['startup_ms']:.0f} ms against {m['startup_ms']:.0f} ms, the database already migrated), "
      f"idle memory {compare(f['idle_rss_kib'], m['idle_rss_kib'], 'more', 'less')} "
      f"({mib(f['idle_rss_kib'])} against {mib(m['idle_rss_kib'])}).")
    w("- So in Rust the weight of the batteries is paid mostly when building (crates, compile "
      "time, binary size), and what is left at run time is what the figures above say; Python "
      "pays for every imported module at each start and in every worker's memory, which is "
      "where the claim comes from.\n")

    w("### “Flask lacks ORM, forms and auth”; Django is “batteries included”\n")
    w(f"- blog-micro writes its SQL, its validation (in Django's words, to pass the same suite), "
      f"its login and its `next` check by hand: {m['lines']['rust']} lines of Rust against "
      f"{f['lines']['rust']} for blog-fullstack, which gets its ORM, ModelForms, login views and "
      "guards from the framework.")
    w(f"- One more admin-editable model (tags) costs blog-fullstack "
      f"{f['regions'].get('tags-admin', 0)} lines (the model and its `ModelAdmin`; the migration "
      f"is generated) and blog-micro {m['regions'].get('tags-admin', 0)} lines (the pages, "
      "forms, SQL and templates of a tag editor).")
    w("- The claim holds in Rust as in Python: micro has no ORM, forms or auth of its own, on "
      "purpose; the crates it would take them from (sqlx, a validator, argon2) are smaller "
      "pieces that the application glues together itself.\n")

    w("### Django is “secure”\n")
    w(f"- The suite has {m['suite']['security_checks']} security checks (CSRF on every form, "
      "escaping, login required, author-only edits including forged POSTs, no open redirect "
      "after login, security headers, a forged `Host` refused, the session cookie). "
      "blog-micro passes "
      f"{m['suite']['security_passed']} and blog-fullstack {f['suite']['security_passed']}.")
    w(f"- The difference is who wrote the protection: blog-micro has "
      f"{security_lines(m)} lines of security code of its own (the headers hook, the `next` "
      "check, the CSRF switch, the trusted hosts, a new session at login, the author check, and "
      f"{m['regions'].get('passwords', 0)} of them the Argon2 hashing with its timing defence "
      f"for unknown users), blog-fullstack {security_lines(f)} (the author check; the rest is "
      "on by default in the framework). Each of those lines is a line a developer can forget.")
    mb, fb = m.get("bare_suite"), f.get("bare_suite")
    if mb and fb:
        total = m["suite"]["security_checks"]
        w(f"- What forgetting them costs, measured: a copy of each blog with its "
          f"`measure: security` regions deleted (the bare build) passes {mb['security_passed']} "
          f"of the {total} security checks in blog-micro and {fb['security_passed']} in "
          "blog-fullstack. " + bare_verdict(fb) + " blog-micro keeps the escaping its "
          "templates do by default and the login guard it needs anyway to know who writes; "
          "the rest was code of its own.")
        w(f"- The bare blog-micro passes {len(mb['security_ok'])}:")
        for name in mb["security_ok"]:
            w(f"  - {name}")
        for label, bare in [("blog-micro", mb), ("blog-fullstack", fb)]:
            w(f"- The bare {label} fails {len(bare['security_failed'])}" + (":" if bare["security_failed"] else "."))
            for name in bare["security_failed"]:
                w(f"  - {name}")
        w("- blog-micro's password hashing (its `measure: passwords` regions) stays in the bare "
          "build: the suite cannot see how passwords are stored, and the seeded users must "
          "log in. A first draft that stored them in plain text would pass the same checks, "
          "which is why the auth app hashing by default matters more than any count here says.\n")
    else:
        w("")

    w("### “Flask is not async-friendly”\n")
    w(f"- Not a property of the approach in Rust: both blogs are async on the same tokio "
      f"runtime and hyper server. On one core, the front page serves "
      f"{m['front_page']['rps']:,.0f} requests/s in blog-micro and "
      f"{f['front_page']['rps']:,.0f} in blog-fullstack "
      f"({compare(f['front_page']['rps'], m['front_page']['rps'], 'more', 'fewer')}); the post "
      f"page {m['post_page']['rps']:,.0f} and {f['post_page']['rps']:,.0f}. The difference that "
      "remains is the work each page does (queries, the ORM's mapping, the session and "
      "message middleware), not blocking.\n")

    w("### Flask is “limited in scalability”; Django is “scalable”\n")
    w(f"- Per core, the figures above; p99 latency {m['front_page']['p99_ms']:.1f} ms against "
      f"{f['front_page']['p99_ms']:.1f} ms on the front page, peak memory "
      f"{mib(m['peak_rss_kib'])} against {mib(f['peak_rss_kib'])} under load.")
    w("- Across instances both scale the same way: blog-micro keeps its session in a signed "
      "cookie (no server state), blog-fullstack in the database (shared by every instance, "
      "or Redis with `SESSION_ENGINE = \"cache\"`); neither keeps state in the process. What "
      "limits either is the database.\n")

    w("### Flask is “flexible and easy to learn”\n")
    w("- Not measured here: learnability has no figure. What can be counted is above: "
      "blog-micro is more code, all of it visible in its own files (every SQL statement in "
      "`src/db.rs`); blog-fullstack is less code and more framework to know "
      "(generic views, ModelForm, the admin's options).\n")

    p = figures.get("peers")
    if p:
        w("## Beside Flask and Django\n")
        when = figures.get("peers_measured_at")
        when = f"measured on {when}, after the blogs" if when else "measured in the same run"
        w("The blogs have no Python twin; what places them is the TechEmpower endpoints of "
          f"`../shared/bench/run`, {when} (one core each, SQLite, Flask and "
          "Django on gunicorn with one sync worker): `fortunes` is a page from a template over "
          "one query, the nearest thing to a blog page; `db` one row as JSON.\n")
        w("| requests/s | Flask | micro | micro vs Flask | Django | fullstack | fullstack vs Django |")
        w("|---|---|---|---|---|---|---|")
        for e in ["fortunes", "db"]:
            fl, mi, dj, fs = (p.get(t, {}).get(e) for t in ["flask", "micro", "django", "fullstack"])
            cell = lambda v: f"{v:,.0f}" if v else "n/a"
            rat = lambda a, b: f"{a / b:.1f}×" if a and b else ""
            w(f"| {e} | {cell(fl)} | {cell(mi)} | {rat(mi, fl)} | {cell(dj)} | {cell(fs)} | {rat(fs, dj)} |")
        w("")
        fl = p.get("flask", {}).get("fortunes")
        dj = p.get("django", {}).get("fortunes")
        if fl and dj:
            w(f"On the same core, blog-micro's front page ({m['front_page']['rps']:,.0f}/s) is "
              f"{m['front_page']['rps'] / fl:.1f}× Flask's `fortunes` and blog-fullstack's "
              f"({f['front_page']['rps']:,.0f}/s) {f['front_page']['rps'] / dj:.1f}× Django's, "
              "although a blog page does more (a count, a page of rows, the session, a larger "
              "template) than `fortunes`.\n")
    w("## Not measured in this run\n")
    if not p:
        w("- Flask and Django: `../shared/bench/run` was not there, so the peers were not run "
          "(see [benchmarks.md](benchmarks.md)).")
    w("- PostgreSQL: both blogs pass the suite on it (their tests), but the load figures are "
      "SQLite's.\n")
    w("Regenerate with `python3 tools/tradeoffs/measure.py` (about 25 minutes on 2 cores; "
      "`--quick` reuses earlier builds).\n")
    return "\n".join(out)
