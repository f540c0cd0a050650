#!/usr/bin/env python3
"""bench.py - `make bench`: speed, memory and planted-cluster recall of
`reprint scan` on generated corpora, against cat, wc -w and sim_text.

For each size (BENCH_SIZES, default 20000 200000) it builds (or reuses) a
corpus with tools/bench/mkcorpus.py under BENCH_DIR (default build/bench),
warms the page cache, and measures with /usr/bin/time -v:
  - reprint scan --stats --json --pairs DIR   (the folder path)
  - reprint scan --stats --json --pairs --input jsonl - < corpus.jsonl
    (the stdin path, when this build has --input)
  - cat and wc -w of all the files (find -print0 | xargs -0)
  - reprint report -o FILE DIR up to 50,000 docs: build time, page size,
    and the time the page takes to open in headless chromium (when present)
  - sim_text -a -p on the smallest size (or a 2,000-doc subset of it when a
    full run would take too long)
  - datasketch (tools/bench/datasketch_run.py: 128 permutations, 5-word
    shingles, MinHashLSH at threshold 0.5 over every file), run from its
    source tree DATASKETCH_SRC (default ../datasketch) under Debian's
    /usr/bin/python3 with python3-numpy and python3-scipy; skipped with a
    message when the tree or the modules are missing
It prints markdown tables on stdout, and the tool's own `reprint: stats:`
lines verbatim. A benchmark never fails on a time: it exits non-zero only
when something could not run at all. Standard library only.
"""

import argparse
import filecmp
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
MKCORPUS = os.path.join(HERE, "mkcorpus.py")
DATASKETCH_RUN = os.path.join(HERE, "datasketch_run.py")
SIM_SUBSET = 2000


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def die(msg):
    log(msg)
    sys.exit(2)

# ---------------------------------------------------------------- tools


def ensure_tool(cmd, package):
    """True when CMD is there; tries apt-get for PACKAGE (root only) when not."""
    if shutil.which(cmd) or os.path.exists(cmd):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("%s missing: apt-get install %s" % (cmd, package))
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", package],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return bool(shutil.which(cmd) or os.path.exists(cmd))


def parse_time_v(path):
    r = {}
    with open(path, errors="replace") as fh:
        for line in fh:
            k, _, v = line.strip().rpartition(": ")
            if k.startswith("Elapsed (wall clock) time"):
                secs = 0.0
                for part in v.split(":"):
                    secs = secs * 60 + float(part)
                r["wall"] = secs
            elif k == "User time (seconds)":
                r["user"] = float(v)
            elif k == "System time (seconds)":
                r["sys"] = float(v)
            elif k == "Maximum resident set size (kbytes)":
                r["rss_kb"] = int(v)
            elif k == "Exit status":
                r["status"] = int(v)
    return r


def timed(argv, stdin=None, stdout=None, tmp=None):
    """Run ARGV under /usr/bin/time -v; return its figures, stderr and exit code."""
    tfile = os.path.join(tmp, "time.txt")
    efile = os.path.join(tmp, "stderr.txt")
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    with open(efile, "wb") as ferr:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tfile] + argv,
                           stdin=fin, stdout=fout, stderr=ferr)
        elapsed = time.perf_counter() - t0
    if stdin:
        fin.close()
    if stdout:
        fout.close()
    r = parse_time_v(tfile) if os.path.exists(tfile) else {}
    r.setdefault("wall", elapsed)
    r["code"] = p.returncode
    with open(efile, errors="replace") as fh:
        r["stderr"] = fh.read()
    return r


def page_ready_ms(html, tmp, runs=3):
    """Median milliseconds from navigation until the report page's script has
    run (its data-ready-ms), in headless chromium with a dead proxy; None
    when chromium is missing or fails."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        return None
    got = []
    for _ in range(runs):
        prof = tempfile.mkdtemp(dir=tmp)
        try:
            p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                                "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", "--no-first-run", "--user-data-dir=" + prof,
                                "--proxy-server=127.0.0.1:9", "--dump-dom", "file://" + html],
                               capture_output=True, timeout=600)
            m = re.search(rb'data-ready-ms="(\d+)"', p.stdout[:4096])
            if m:
                got.append(int(m.group(1)))
        except subprocess.TimeoutExpired:
            pass
        finally:
            shutil.rmtree(prof, ignore_errors=True)
    return sorted(got)[len(got) // 2] if got else None


def measure(argv, runs, tmp, stdin=None, stdout=None, warm=True):
    """Warm once (unless WARM is false), then RUNS runs; the run of median wall time."""
    if warm:
        timed(argv, stdin=stdin, stdout=stdout, tmp=tmp)
    rs = [timed(argv, stdin=stdin, stdout=stdout, tmp=tmp) for _ in range(runs)]
    for r in rs:
        if r["code"] not in (0, 1):      # 1: some inputs skipped, still a result
            r["failed"] = True
    ok = [r for r in rs if not r.get("failed")] or rs
    ok.sort(key=lambda r: r["wall"])
    med = dict(ok[len(ok) // 2])
    med["best"] = ok[0]["wall"]
    med["runs"] = len(rs)
    return med

# ---------------------------------------------------------------- corpora


def corpus(bench_dir, n, seed):
    """The folder of the N-doc corpus, generated unless an identical one is cached."""
    out = os.path.join(bench_dir, "n%d-s%d" % (n, seed))
    want = subprocess.run([sys.executable, "-c",
                           "import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
                           MKCORPUS], capture_output=True, text=True).stdout.strip()
    pj = os.path.join(out, "params.json")
    try:
        with open(pj) as fh:
            p = json.load(fh)
        if p.get("docs") == n and p.get("seed") == seed and p.get("jsonl") and \
                p.get("generator_sha256") == want:
            log("corpus %s: reusing (same parameters)" % out)
            return out, p
    except (OSError, ValueError):
        pass
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(bench_dir, exist_ok=True)
    need = n * 10500            # ~4.5 KB a doc twice (files + JSONL), plus blocks
    free = shutil.disk_usage(bench_dir).free
    if free < need * 1.5:
        die("%s: only %.1f GB free, %d docs need about %.1f GB" % (
            bench_dir, free / 1e9, n, need / 1e9))
    log("corpus %s: generating %d docs (seed %d)" % (out, n, seed))
    t0 = time.time()
    p = subprocess.run([sys.executable, MKCORPUS, "-n", str(n), "-s", str(seed), "-o", out])
    if p.returncode != 0:
        die("mkcorpus.py failed for %d docs" % n)
    log("corpus %s: generated in %.0fs" % (out, time.time() - t0))
    with open(pj) as fh:
        return out, json.load(fh)

# ---------------------------------------------------------------- scoring


def load_truth(path):
    truth = {}
    with open(path, encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            d, c = line.rstrip("\n").split("\t")
            truth[d] = c
    return truth


def doc_id(s, docs_dir):
    """The truth id of a tool id: path under docs/ without .txt."""
    pre = docs_dir.rstrip("/") + "/"
    if s.startswith(pre):
        s = s[len(pre):]
    elif "/docs/" in s:
        s = s.split("/docs/", 1)[1]
    return s[:-4] if s.endswith(".txt") else s


def score(out_path, truth, docs_dir):
    """Planted-cluster pair precision/recall from --pairs lines and from --json clusters."""
    sizes = {}
    for c in truth.values():
        sizes[c] = sizes.get(c, 0) + 1
    positives = sum(k * (k - 1) // 2 for k in sizes.values())
    pairs, p_tp = set(), 0
    c_pred = c_tp = 0
    with open(out_path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if "a" in o and "b" in o:
                a, b = doc_id(o["a"], docs_dir), doc_id(o["b"], docs_dir)
                key = (a, b) if a < b else (b, a)
                if key not in pairs:
                    pairs.add(key)
                    p_tp += truth.get(a, "?a") == truth.get(b, "?b")
            elif "members" in o:
                by = {}
                n = 0
                for m in o["members"]:
                    i = doc_id(m["id"] if isinstance(m, dict) else m, docs_dir)
                    c = truth.get(i, "?" + i)
                    by[c] = by.get(c, 0) + 1
                    n += 1
                c_pred += n * (n - 1) // 2
                c_tp += sum(k * (k - 1) // 2 for k in by.values())

    def pr(tp, pred):
        return (tp / pred if pred else float("nan"), tp / positives if positives else float("nan"))
    return {"positives": positives, "planted": sum(1 for k in sizes.values() if k > 1),
            "pairs": len(pairs), "pairs_pr": pr(p_tp, len(pairs)),
            "cluster_pairs": c_pred, "clusters_pr": pr(c_tp, c_pred)}

# ---------------------------------------------------------------- report


def fmt_s(x):
    return "%.2f" % x if x < 100 else "%.0f" % x


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = "%.0f GiB" % (kb / 2**20)
    except (OSError, ValueError, IndexError):
        pass
    osname = ""
    try:
        with open("/etc/os-release") as fh:
            for line in fh:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "%s, %d cores, %s, %s, Linux %s" % (cpu, os.cpu_count() or 0, mem, osname,
                                               platform.release())


def main():
    ap = argparse.ArgumentParser(description="benchmark reprint scan (see docs/performance.md)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "reprint"))
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR") or os.path.join(ROOT, "build", "bench"),
                    help="where corpora are built and cached (env BENCH_DIR)")
    ap.add_argument("--sizes", default=os.environ.get("BENCH_SIZES") or "20000 200000",
                    help="corpus sizes in documents (env BENCH_SIZES)")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED") or 1))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS") or 0),
                    help="measured runs per size (default: 3 up to 50,000 docs, else 1)")
    ap.add_argument("--sim-limit", type=float, default=600.0,
                    help="seconds a full sim_text run may be expected to take (default 600)")
    ap.add_argument("--datasketch", default=os.environ.get("DATASKETCH_SRC") or
                    os.path.join(ROOT, "..", "datasketch"),
                    help="datasketch source tree, run in the same bench (env DATASKETCH_SRC)")
    ap.add_argument("--base", default=os.environ.get("BENCH_BASE") or "",
                    help="another reprint binary (an older build), measured in the same run "
                         "for a before/after table (env BENCH_BASE)")
    a = ap.parse_args()

    try:
        sizes = sorted({int(s) for s in a.sizes.replace(",", " ").split()})
    except ValueError:
        die("bad BENCH_SIZES: %r" % a.sizes)
    if not sizes or sizes[0] < 2:
        die("bad BENCH_SIZES: %r" % a.sizes)
    if not os.access(a.bin, os.X_OK):
        die("%s: not built (run make)" % a.bin)
    if not ensure_tool("/usr/bin/time", "time"):
        die("/usr/bin/time: not available (Debian package time)")
    have_sim = ensure_tool("sim_text", "similarity-tester")
    ds_src = os.path.abspath(a.datasketch)
    ds_python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    ds_env = dict(os.environ, PYTHONPATH=ds_src)
    ds_why = None
    if not os.path.isfile(os.path.join(ds_src, "datasketch", "__init__.py")):
        ds_why = "%s: no datasketch source tree there (set DATASKETCH_SRC)" % ds_src
    else:
        chk = subprocess.run([ds_python, "-c", "import datasketch"], env=ds_env,
                             capture_output=True, text=True)
        if chk.returncode != 0:
            ds_why = "datasketch does not import under %s (python3-numpy, python3-scipy?): %s" % (
                ds_python, chk.stderr.strip().splitlines()[-1:] or "")
    if ds_why:
        log("skipping datasketch: " + ds_why)
    bin_ = os.path.abspath(a.bin)
    base_bin = os.path.abspath(a.base) if a.base else None
    if base_bin and not os.access(base_bin, os.X_OK):
        die("%s: BENCH_BASE is not an executable" % base_bin)
    base_version = ""
    if base_bin:
        base_version = subprocess.run([base_bin, "--version"], capture_output=True,
                                      text=True).stdout.strip()
    bench_dir = os.path.abspath(a.dir)
    helptext = subprocess.run([bin_, "scan", "--help"], capture_output=True, text=True).stdout
    have_stdin = "--input" in helptext
    have_report = "report" in subprocess.run([bin_, "--help"], capture_output=True, text=True).stdout
    have_dist = "dist" in subprocess.run([bin_, "--help"], capture_output=True, text=True).stdout
    version = subprocess.run([bin_, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()

    load0 = os.getloadavg()
    tmp = tempfile.mkdtemp(prefix="reprint-bench-")
    rows, derived, quality, stats = [], [], [], []
    notes = []
    try:
        # base: the RSS of a scan of a tiny corpus (the five sample articles)
        tiny = os.path.join(ROOT, "corpus")
        base = measure([bin_, "scan", tiny], 3, tmp)
        base_kb = base.get("rss_kb", 0)

        results = {}
        for n in sizes:
            cdir, params = corpus(bench_dir, n, a.seed)
            docs = os.path.join(cdir, "docs")
            mb = params["bytes"] / 1e6
            runs = a.runs or (3 if n <= 50000 else 1)
            truth = load_truth(os.path.join(cdir, "truth.tsv"))
            res = {"cdir": cdir, "mb": mb, "runs": runs}
            log("%d docs: cat and wc -w" % n)
            findx = "find '%s' -type f -name '*.txt' -print0 | xargs -0 " % docs
            res["cat"] = measure(["sh", "-c", findx + "cat > /dev/null"], runs, tmp)
            res["wc"] = measure(["sh", "-c", findx + "wc -w > /dev/null"], runs, tmp)

            log("%d docs: reprint scan (folder), %d run(s) after a warm-up" % (n, runs))
            out = os.path.join(tmp, "out-%d.jsonl" % n)
            r = measure([bin_, "scan", "--stats", "--json", "--pairs", docs], runs, tmp, stdout=out)
            if r.get("failed"):
                die("reprint scan failed on %s (exit %d): %s" % (docs, r["code"], r["stderr"][-500:]))
            res["folder"] = r
            res["folder_q"] = score(out, truth, docs)
            stats.append(("%d docs, folder" % n, r["stderr"]))

            if base_bin:
                # the older binary right after, on the same warm files, so
                # that both see the same machine
                log("%d docs: base %s scan (folder), %d run(s)" % (n, base_bin, runs))
                outb = os.path.join(tmp, "base-%d.jsonl" % n)
                r = measure([base_bin, "scan", "--stats", "--json", "--pairs", docs], runs, tmp,
                            stdout=outb)
                if r.get("failed"):
                    notes.append("base binary failed on %d docs (exit %d): %s" % (
                        n, r["code"], r["stderr"].strip()[-300:]))
                else:
                    res["base"] = r
                    res["base_same"] = filecmp.cmp(out, outb, shallow=False)
                    if not res["base_same"]:
                        notes.append("the base binary printed other bytes than this one on %d docs" % n)
                os.unlink(outb)

            if have_dist:
                log("%d docs: reprint dist run --local --tasks 4 (same output as scan?)" % n)
                outd = os.path.join(tmp, "dist-%d.jsonl" % n)
                work = os.path.join(tmp, "dist-work-%d" % n)
                r = measure([bin_, "dist", "run", "--local", "--tasks", "4", "--work", work, "--clean",
                             "--json", "--pairs", docs], runs, tmp, stdout=outd)
                if r.get("failed"):
                    notes.append("reprint dist failed on %d docs (exit %d): %s" % (
                        n, r["code"], r["stderr"].strip()[-300:]))
                else:
                    res["dist"] = r
                    if not filecmp.cmp(out, outd, shallow=False):
                        notes.append("reprint dist printed other bytes than scan on %d docs" % n)
                os.unlink(outd)

            if have_stdin:
                log("%d docs: reprint scan --input jsonl - (stdin)" % n)
                jl = os.path.join(cdir, "corpus.jsonl")
                subprocess.run(["cat", jl], stdout=subprocess.DEVNULL)
                r = measure([bin_, "scan", "--stats", "--json", "--pairs", "--input", "jsonl", "-"],
                            runs, tmp, stdin=jl, stdout=out)
                if r.get("failed"):
                    notes.append("stdin path failed on %d docs (exit %d): %s" % (
                        n, r["code"], r["stderr"].strip()[-300:]))
                else:
                    res["stdin"] = r
                    res["stdin_q"] = score(out, truth, docs)
                    stats.append(("%d docs, stdin" % n, r["stderr"]))
            os.unlink(out)

            if have_report and n <= 50000:
                log("%d docs: reprint report (and the page in chromium)" % n)
                html = os.path.join(tmp, "report-%d.html" % n)
                r = measure([bin_, "report", "--stats", "-o", html, docs], runs, tmp)
                if r.get("failed"):
                    notes.append("reprint report failed on %d docs (exit %d): %s" % (
                        n, r["code"], r["stderr"].strip()[-300:]))
                else:
                    r["bytes"] = os.path.getsize(html)
                    r["open_ms"] = page_ready_ms(html, tmp)
                    res["report"] = r
                    stats.append(("%d docs, report" % n, r["stderr"]))
                if os.path.exists(html):
                    os.unlink(html)

            if have_sim and n == sizes[0]:
                names = sorted(os.path.join(d, f) for d, _, fs in os.walk(docs) for f in fs)
                lst = os.path.join(tmp, "sim-list.txt")
                sub = names[:: max(1, len(names) // SIM_SUBSET)][:SIM_SUBSET]
                with open(lst, "w") as fh:
                    fh.write("\n".join(sub) + "\n")
                log("%d docs: sim_text -a -p on a %d-doc subset" % (n, len(sub)))
                s = measure(["sim_text", "-a", "-p", "-T", "-i"], 1, tmp, stdin=lst, warm=False)
                s["docs"] = len(sub)
                est = s["wall"] * (len(names) / len(sub)) ** 2
                if len(sub) < len(names) and est <= a.sim_limit:
                    with open(lst, "w") as fh:
                        fh.write("\n".join(names) + "\n")
                    log("%d docs: sim_text -a -p on all of them" % n)
                    s = measure(["sim_text", "-a", "-p", "-T", "-i"], 1, tmp, stdin=lst, warm=False)
                    s["docs"] = len(names)
                elif len(sub) < len(names):
                    notes.append("sim_text ran on a %d-doc subset only (every %dth file): a full "
                                 "run was estimated at %.0f s assuming quadratic growth" % (
                                     len(sub), len(names) // len(sub), est))
                s["mb"] = sum(os.path.getsize(f) for f in (names if s["docs"] == len(names) else sub)) / 1e6
                res["sim"] = s
            if not ds_why:
                names = sorted(os.path.join(d, f) for d, _, fs in os.walk(docs)
                               for f in fs if f.endswith(".txt"))
                lst = os.path.join(tmp, "ds-list.txt")
                with open(lst, "w") as fh:
                    fh.write("\n".join(names) + "\n")
                log("%d docs: datasketch (128 perms, 5-word shingles, LSH 0.5), 1 run" % n)
                saved = os.environ.get("PYTHONPATH")
                os.environ["PYTHONPATH"] = ds_src
                try:
                    r = measure([ds_python, DATASKETCH_RUN], 1, tmp, stdin=lst, warm=False)
                finally:
                    if saved is None:
                        del os.environ["PYTHONPATH"]
                    else:
                        os.environ["PYTHONPATH"] = saved
                if r.get("failed"):
                    notes.append("datasketch failed on %d docs (exit %d): %s" % (
                        n, r["code"], r["stderr"].strip()[-300:]))
                else:
                    res["ds"] = r
            results[n] = res

        # ---------------------------------------------------------- tables
        print("## reprint benchmark\n")
        print("- machine: %s" % machine())
        print("- reprint: %s (%s), %s" % (version.splitlines()[0] if version else "?", commit or "?",
                                          time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
        print("- corpora: tools/bench/mkcorpus.py, seed %d, in %s" % (a.seed, bench_dir))
        print("- warm page cache; wall time is the median of 3 runs up to 50,000 docs "
              "(best in brackets), else 1 run; /usr/bin/time -v figures")
        print("- reprint runs `scan --stats --json --pairs`, output to a file")
        load1 = os.getloadavg()
        print("- load average (1 min) %.2f at the start, %.2f at the end: other jobs on the machine "
              "make times noisy; user+sys below wall time is a sign of it\n" % (load0[0], load1[0]))

        print("| docs | what | MB | wall s | user s | sys s | docs/s | MB/s | docs/s of CPU | peak RSS MB |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in sizes:
            res = results[n]
            for key, name in (("folder", "reprint scan DIR"), ("base", "base: reprint scan DIR"),
                              ("stdin", "reprint scan --input jsonl -"),
                              ("dist", "reprint dist run --local --tasks 4 DIR"),
                              ("cat", "cat (find \\| xargs)"), ("wc", "wc -w (find \\| xargs)"),
                              ("sim", "sim_text -a -p"), ("ds", "datasketch MinHashLSH")):
                r = res.get(key)
                if not r:
                    continue
                nd = r.get("docs", n)
                mb = r.get("mb", res["mb"])
                wall = r["wall"]
                best = " (%s)" % fmt_s(r["best"]) if r.get("runs", 1) > 1 else ""
                cpu = r.get("user", 0) + r.get("sys", 0)
                print("| %s | %s | %.0f | %s%s | %s | %s | %.0f | %.1f | %s | %.0f |" % (
                    "{:,}".format(nd), name, mb, fmt_s(wall), best, fmt_s(r.get("user", 0)),
                    fmt_s(r.get("sys", 0)), nd / wall if wall else 0, mb / wall if wall else 0,
                    "%.0f" % (nd / cpu) if cpu else "-", r.get("rss_kb", 0) / 1024))
        print()

        print("How many times faster reprint is than each tool on the same files: the tool's time "
              "per document ÷ reprint's (`scan DIR`), wall and CPU (user+sys). Above 1, reprint is "
              "faster.\n")
        print("| docs | reprint docs/s | ÷ wc -w wall | CPU | ÷ cat wall | CPU | ÷ sim_text wall | CPU "
              "| ÷ datasketch wall | CPU | stdin time ÷ folder time |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in sizes:
            res = results[n]
            f = res["folder"]
            dps = n / f["wall"]
            fcpu = f.get("user", 0) + f.get("sys", 0)

            def ratio(key):
                r = res.get(key)
                if not r:
                    if key == "sim" and "sim" in results[sizes[0]]:
                        return ["(see %s)" % "{:,}".format(sizes[0]), ""]
                    return ["-", "-"]
                nd = r.get("docs", n)
                cpu = r.get("user", 0) + r.get("sys", 0)
                w = "%.2f" % ((r["wall"] / nd) / (f["wall"] / n))
                c = "%.2f" % ((cpu / nd) / (fcpu / n)) if fcpu and cpu else "-"
                return [w, c]
            st = "%.2f" % (res["stdin"]["wall"] / f["wall"]) if "stdin" in res else "n/a"
            cells = ratio("wc") + ratio("cat") + ratio("sim") + ratio("ds")
            print("| %s | %.0f | %s | %s |" % ("{:,}".format(n), dps, " | ".join(cells), st))
        print()
        print("docs/s of CPU: documents per second of user+sys time, steadier than wall time on a busy machine.\n")
        if ds_why:
            print("datasketch: skipped, " + ds_why)
        else:
            print("datasketch: run here from %s under %s (tools/bench/datasketch_run.py, 1 run)." % (
                ds_src, ds_python))
        if not have_stdin:
            print("\nstdin path: not available in this build (reprint scan --help has no --input)")
        print()

        if base_bin:
            print("Before and after, from this run: the base binary (%s, %s) and this one, "
                  "each tool's time per document ÷ reprint's; the same corpora, the same "
                  "runs of the other tools.\n" % (base_bin, base_version.splitlines()[0]
                                                    if base_version else "?"))
            print("| docs | reprint | wall s | CPU s | peak RSS MB | ÷ wc -w wall | CPU "
                  "| ÷ sim_text wall | CPU | ÷ datasketch wall | CPU | same bytes |")
            print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
            for n in sizes:
                res = results[n]
                for key, name in (("base", "before (base)"), ("folder", "after (this build)")):
                    f = res.get(key)
                    if not f:
                        continue
                    fcpu = f.get("user", 0) + f.get("sys", 0)
                    cells = []
                    for other in ("wc", "sim", "ds"):
                        r = res.get(other)
                        if not r:
                            cells += ["-", "-"]
                            continue
                        nd = r.get("docs", n)
                        cpu = r.get("user", 0) + r.get("sys", 0)
                        cells.append("%.2f" % ((r["wall"] / nd) / (f["wall"] / n)))
                        cells.append("%.2f" % ((cpu / nd) / (fcpu / n)) if fcpu and cpu else "-")
                    same = "" if key == "base" else ("yes" if res.get("base_same") else "NO")
                    print("| %s | %s | %s | %s | %.0f | %s | %s |" % (
                        "{:,}".format(n), name, fmt_s(f["wall"]), fmt_s(fcpu),
                        f.get("rss_kb", 0) / 1024, " | ".join(cells), same))
            print()

        reports = [n for n in sizes if "report" in results[n]]
        if reports:
            print("`reprint report -o FILE DIR` (the scan, then the page; the page opened in headless "
                  "chromium, time from navigation until its script has run, median of 3):\n")
            print("| docs | wall s | user s | sys s | peak RSS MB | page MB | page opens in |")
            print("|---:|---:|---:|---:|---:|---:|---:|")
            for n in reports:
                r = results[n]["report"]
                print("| %s | %s | %.2f | %.2f | %.0f | %.1f | %s |" % (
                    "{:,}".format(n), fmt_s(r["wall"]), r.get("user", 0), r.get("sys", 0),
                    r.get("rss_kb", 0) / 1024, r["bytes"] / 1e6,
                    "%d ms" % r["open_ms"] if r["open_ms"] is not None else "(no chromium)"))
            print()

        big = sizes[-1]
        f = results[big]["folder"]
        per_doc = (f.get("rss_kb", 0) - base_kb) * 1024 / big
        print("- memory: peak RSS %.0f MB at %s docs; base %.1f MB (peak RSS of a scan of the "
              "5 articles in corpus/); (peak − base) / docs = %.1f KB a document" % (
                  f.get("rss_kb", 0) / 1024, "{:,}".format(big), base_kb / 1024, per_doc / 1024))
        for lo, hi in zip(sizes, sizes[1:]):
            tl, th = results[lo]["folder"]["wall"], results[hi]["folder"]["wall"]
            cl = results[lo]["folder"].get("user", 0) + results[lo]["folder"].get("sys", 0)
            ch = results[hi]["folder"].get("user", 0) + results[hi]["folder"].get("sys", 0)
            print("- scaling: time(%s) / time(%s) = %.2f wall, %s user+sys, for %.4g× the documents" % (
                "{:,}".format(hi), "{:,}".format(lo), th / tl, "%.2f" % (ch / cl) if cl else "-", hi / lo))
            if "stdin" in results[lo] and "stdin" in results[hi]:
                print("- scaling, stdin: %.2f" % (results[hi]["stdin"]["wall"] / results[lo]["stdin"]["wall"]))
        for note in notes:
            print("- " + note)
        print()

        print("Planted clusters (truth.tsv), all pairs within them: precision / recall of the "
              "pairs `--pairs` lists and of the pairs implied by `--json` clusters.\n")
        print("| docs | path | planted clusters | true pairs | --pairs | P | R | cluster pairs | P | R |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in sizes:
            for key, name in (("folder_q", "folder"), ("stdin_q", "stdin")):
                q = results[n].get(key)
                if not q:
                    continue
                print("| %s | %s | %d | %d | %d | %.4f | %.4f | %d | %.4f | %.4f |" % (
                    "{:,}".format(n), name, q["planted"], q["positives"], q["pairs"],
                    q["pairs_pr"][0], q["pairs_pr"][1], q["cluster_pairs"],
                    q["clusters_pr"][0], q["clusters_pr"][1]))
        print()
        print("The tool's own phase timings (`--stats`, shown as printed, median run):\n")
        print("```")
        for name, err in stats:
            for line in err.splitlines():
                if line.startswith("reprint: stats:"):
                    print("[%s] %s" % (name, line))
        print("```")
        sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
