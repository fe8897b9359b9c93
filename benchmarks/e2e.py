#!/usr/bin/python3
"""End-to-end benchmark driver behind benchmarks/run.sh (which builds koe first).

For each corpus size: generates the voices (koe-generate), then in every repeat times, on the
same file and the same number of threads T,
  * the floor: `mecab -Owakati` on the text column split into T parts, T processes at once;
  * koe: `koe cluster FILE -k K --threads T --n-init 1 --stats`, and again with --threads 1;
  * the peer: benchmarks/peer/peer.py (MeCab Python binding + scikit-learn), KMeans on T threads.
Wall time is measured around each process; peak RSS is the child's ru_maxrss from wait4(2), the
number GNU time -v reports. Medians over the repeats go to RESULTS.md with NMI against the true
topics, the machine facts and the command line.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

# The dictionary koe reads by default, named by path: mecab's own default follows Debian's
# alternatives, which installing unidic-mecab turns to UniDic.
IPADIC = "/var/lib/mecab/dic/ipadic-utf8"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KEEP_MARKER = "<!-- Everything below this line is kept when run.sh rewrites the file. -->"


def log(msg):
    print(f"e2e: {msg}", file=sys.stderr, flush=True)


def die(msg):
    print(f"e2e: error: {msg}", file=sys.stderr)
    sys.exit(1)


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def run_timed(cmds, env=None, stdout=subprocess.DEVNULL):
    """Starts every command at once and waits for all; returns wall seconds, CPU seconds (user +
    system, summed), the largest peak RSS in bytes and each command's standard error."""
    # Standard error goes to files, not pipes: a child blocked on a full pipe while another is
    # being waited for would stall the run.
    err_files = [tempfile.TemporaryFile() for _ in cmds]
    start = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=stdout, stderr=e, env=env)
             for c, e in zip(cmds, err_files)]
    errs, peak, cpu = [], 0, 0.0
    for c, p, e in zip(cmds, procs, err_files):
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        e.seek(0)
        err = e.read().decode("utf-8", "replace")
        e.close()
        if p.returncode != 0:
            for q in procs:
                if q.poll() is None:
                    q.kill()
            die(f"command failed ({p.returncode}): {shlex.join(c)}\n{err[-2000:]}")
        peak = max(peak, usage.ru_maxrss * 1024)  # Linux reports kilobytes
        cpu += usage.ru_utime + usage.ru_stime
        errs.append(err)
    return time.perf_counter() - start, cpu, peak, errs


def generate(gen, n, seed, path):
    if os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(gen):
        return
    log(f"generating {n} voices -> {path}")
    t = time.perf_counter()
    tmp = path + ".tmp"
    subprocess.run([gen, "--voices", str(n), "--seed", str(seed), "-o", tmp], check=True)
    os.replace(tmp, path)
    log(f"generated in {time.perf_counter() - t:.1f} s ({os.path.getsize(path) / 1e6:.0f} MB)")


def split_text_column(csv_path, parts, prefix):
    """The text column as plain lines, cut into `parts` files of nearly equal line counts."""
    paths = [f"{prefix}.{parts}.{i}.txt" for i in range(parts)]
    if all(os.path.exists(p) and os.path.getmtime(p) >= os.path.getmtime(csv_path) for p in paths):
        return paths
    with open(csv_path, newline="", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    for i, p in enumerate(paths):
        lo, hi = len(texts) * i // parts, len(texts) * (i + 1) // parts
        with open(p, "w", encoding="utf-8") as out:
            out.write("\n".join(texts[lo:hi]) + "\n")
    return paths


def read_topics(csv_path):
    with open(csv_path, newline="", encoding="utf-8") as f:
        return {row["id"]: row["topic"] for row in csv.DictReader(f)}


def nmi(labels_path, truth, column):
    from sklearn.metrics import normalized_mutual_info_score

    with open(labels_path, newline="", encoding="utf-8") as f:
        pred = {row["id"]: row[column] for row in csv.DictReader(f)}
    ids = [i for i in truth if i in pred]
    return normalized_mutual_info_score([truth[i] for i in ids], [pred[i] for i in ids])


def parse_koe_stats(stderr):
    """Stage seconds from `koe cluster --stats` (lines "koe: STAGE SECONDS s [(peak ...)]")."""
    stages = {}
    for line in stderr.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == "koe:" and f[3] == "s":
            try:
                stages[f[1]] = float(f[2])
            except ValueError:
                pass
    return stages


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def iteration_bench(build, n, threads):
    """koe's time per k-means iteration from koe_bench_cluster at this size (None if absent)."""
    exe = os.path.join(build, "benchmarks", "koe_bench_cluster")
    if not os.path.exists(exe):
        return None
    env = dict(os.environ, KOE_BENCH_VOICES=str(n))
    cmd = [exe, f"--benchmark_filter=BM_KMeansIteration/threads:{threads}/",
           "--benchmark_format=json"]
    log(f"koe_bench_cluster (per-iteration) at {n} voices, {threads} threads")
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        log(f"koe_bench_cluster failed: {r.stderr[-500:]}")
        return None
    try:
        runs = json.loads(r.stdout).get("benchmarks", [])
    except json.JSONDecodeError:
        runs = []
    if not runs:
        log(f"koe_bench_cluster has no run for threads:{threads}")
        return None
    b = runs[0]
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
    return {"per_iteration": b["real_time"] * scale,
            "fixed": b.get("fixed_ms", 0.0) / 1e3}


def machine_facts(build):
    facts = {}
    facts["date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    facts["nproc"] = os.cpu_count()
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    facts["cpu"] = model
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(f.readline().split()[1])
        facts["memory"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        facts["memory"] = "unknown"
    facts["os"] = f"{platform.system()} {platform.release()}"

    def version(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    facts["koe"] = version([os.path.join(build, "koe"), "--version"])
    commit = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    try:
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src",
                                "include", "CMakeLists.txt"],
                               capture_output=True, text=True, timeout=30).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
    except (OSError, subprocess.TimeoutExpired):
        dirty = []
    facts["source"] = f"commit {commit}" + (
        f" with uncommitted changes to {', '.join(dirty)}" if dirty else "")
    facts["mecab"] = version(["mecab", "-v"])
    facts["compiler"] = version([os.environ.get("CXX", "c++"), "--version"])
    import sklearn

    facts["python"] = f"{platform.python_version()} (scikit-learn {sklearn.__version__})"
    return facts


def fmt_s(x):
    return "–" if x is None else (f"{x:.2f} s" if x >= 0.1 else f"{x * 1e3:.0f} ms")


def fmt_mib(b):
    return "–" if b is None else f"{b / 2**20:.0f} MiB"


def fmt_x(x):
    return "–" if x is None else f"{x:.2f}×"


def fmt_c(x):
    return "–" if x is None else f"{x:.2f}"


def fmt_nmi(x):
    return "–" if x is None else f"{x:.3f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def add_rests(runs):
    """Time outside the reported stages, per run (medians of the parts need not add up)."""
    for rec in runs:
        for who in ("koe", "koe1"):
            if who in rec:
                rec[f"{who}_rest"] = rec[who] - sum(rec.get(f"{who}_stages", {}).values())
        if "peer" in rec:
            rec["peer_rest"] = rec["peer"] - sum(
                rec["peer_stages"].get(s, 0.0) for s in ("read", "tokenize", "vectorize", "cluster"))


def measure_size(a, n, facts):
    data = os.path.join(a.work_dir, f"voices-{n}-s{a.seed}.csv")
    generate(os.path.join(a.build_dir, "benchmarks", "koe-generate"), n, a.seed, data)
    parts = split_text_column(data, a.threads, os.path.join(a.work_dir, f"text-{n}-s{a.seed}"))
    koe = os.path.join(a.build_dir, "koe")
    out_dir = os.path.join(a.work_dir, f"out-{n}")
    peer_labels = os.path.join(a.work_dir, f"peer-{n}.csv")
    peer_json = os.path.join(a.work_dir, f"peer-{n}.json")
    run_peer = not a.no_peer and (n <= 2_000_000 or a.peer_large)
    thread_env = dict(os.environ, OMP_NUM_THREADS=str(a.threads),
                      OPENBLAS_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads))
    koe_cmd = [koe, "cluster", data, "-k", str(a.k), "--n-init", "1", "--seed", str(a.seed),
               "--stats", "-q"]
    runs = []
    for r in range(a.repeats):
        rec = {"load_before": loadavg()}
        log(f"{n} voices, repeat {r + 1}/{a.repeats}: floor (mecab -Owakati × {a.threads})")
        rec["floor"], rec["floor_cpu"], rec["floor_rss"], _ = run_timed(
            [["mecab", "-d", IPADIC, "-Owakati", p] for p in parts])
        log(f"{n} voices, repeat {r + 1}/{a.repeats}: koe --threads {a.threads}")
        rec["koe"], rec["koe_cpu"], rec["koe_rss"], err = run_timed(
            [koe_cmd + ["--threads", str(a.threads), "-o", out_dir]])
        rec["koe_stages"] = parse_koe_stats(err[0])
        if a.threads > 1 and not a.no_single:
            log(f"{n} voices, repeat {r + 1}/{a.repeats}: koe --threads 1")
            rec["koe1"], rec["koe1_cpu"], rec["koe1_rss"], err = run_timed(
                [koe_cmd + ["--threads", "1", "-o", out_dir + "-t1"]])
            rec["koe1_stages"] = parse_koe_stats(err[0])
        if run_peer:
            log(f"{n} voices, repeat {r + 1}/{a.repeats}: peer (Python)")
            rec["peer"], rec["peer_cpu"], rec["peer_rss"], _ = run_timed(
                [[sys.executable, os.path.join(HERE, "peer", "peer.py"), data, "-k", str(a.k),
                  "--seed", str(a.seed), "--labels", peer_labels, "--json", peer_json]],
                env=thread_env)
            with open(peer_json, encoding="utf-8") as f:
                rec["peer_stages"] = json.load(f)
        rec["load_after"] = loadavg()
        runs.append(rec)
        log(f"  floor {rec['floor']:.2f} s, koe {rec['koe']:.2f} s"
            + (f", koe/1 {rec['koe1']:.2f} s" if "koe1" in rec else "")
            + (f", peer {rec['peer']:.2f} s" if "peer" in rec else "")
            + f", load {rec['load_before']:.1f}→{rec['load_after']:.1f}")

    add_rests(runs)

    def med(key, sub=None):
        if sub is None:
            return median([x.get(key) for x in runs])
        return median([x.get(key, {}).get(sub) for x in runs])

    res = {"voices": n, "file": data, "file_bytes": os.path.getsize(data), "runs": runs}
    for key in ("floor", "floor_cpu", "floor_rss", "koe", "koe_cpu", "koe_rss", "koe_rest", "koe1",
                "koe1_cpu", "koe1_rss", "koe1_rest", "peer", "peer_cpu", "peer_rss", "peer_rest"):
        res[key] = med(key)
    stage_names = []
    for x in runs:
        stage_names += [s for s in x.get("koe_stages", {}) if s not in stage_names]
    # Each repeat runs koe with T threads and with 1 back to back: the median of those pairs'
    # ratios is less exposed to a load that comes and goes across repeats than the ratio of the
    # two medians (which the verdict uses).
    res["scaling_paired"] = median([x["koe1"] / x["koe"] for x in runs
                                    if x.get("koe1") and x.get("koe")])
    res["koe_stages"] = {s: med("koe_stages", s) for s in stage_names}
    res["koe1_stages"] = {s: med("koe1_stages", s) for s in stage_names}
    res["peer_stages"] = {s: med("peer_stages", s)
                          for s in ("read", "tokenize", "vectorize", "cluster", "per_iteration",
                                    "iterations", "vocabulary", "nonzeros")}
    truth = read_topics(data)
    res["koe_nmi"] = nmi(os.path.join(out_dir, "assignments.csv"), truth, "cluster")
    res["peer_nmi"] = nmi(peer_labels, truth, "cluster") if run_peer else None
    with open(os.path.join(out_dir, "clusters.json"), encoding="utf-8") as f:
        res["koe_vocabulary"] = json.load(f).get("vocabulary_size")
    res["iteration_bench"] = (iteration_bench(a.build_dir, n, a.threads)
                              if n <= a.iteration_bench_max else None)
    return res


def write_results(a, facts, results, path):
    t = a.threads
    lines = ["# koe benchmark results", "",
             "Written by `benchmarks/run.sh` (driver `benchmarks/e2e.py`); see `benchmarks/README.md`.",
             "", "Command:", "", "```sh", a.command_line, "```", ""]
    lines += ["## Machine", "",
              f"- date: {facts['date']}",
              f"- CPU: {facts['cpu']}, nproc = {facts['nproc']}; memory {facts['memory']}",
              f"- {facts['os']}; {facts['compiler']}",
              f"- koe: {facts['koe']}, {facts['source']}; MeCab: {facts['mecab']}; "
              f"Python {facts['python']}",
              f"- threads T = {t}, k = {a.k}, seed = {a.seed}, repeats = {a.repeats} (medians)"]
    if a.note:
        lines += [f"- note: {a.note}"]
    lines += [""]
    lines += ["## End to end", "",
              f"Wall time of each process (start to exit), median of {a.repeats}. Floor = "
              f"`mecab -Owakati` on the text column split into {t} files, {t} processes at once. "
              "CPU = user + system time of the process (summed over the floor's processes); "
              "cores = CPU / wall, how much of the machine a run actually got. "
              "Peak RSS = ru_maxrss of the process (largest of the floor's processes). "
              "NMI against the generated `topic` column (scikit-learn, arithmetic mean).", ""]
    lines += ["| voices | CSV | floor | koe (T) | koe (1 thread) | peer | koe/floor | peer/koe "
              "| scaling 1→T |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['voices']:,} | {r['file_bytes'] / 1e6:.0f} MB | {fmt_s(r['floor'])} "
            f"| {fmt_s(r['koe'])} | {fmt_s(r['koe1'])} | {fmt_s(r['peer'])} "
            f"| {fmt_x(ratio(r['koe'], r['floor']))} | {fmt_x(ratio(r['peer'], r['koe']))} "
            f"| {fmt_x(ratio(r['koe1'], r['koe']))} |")
    lines += ["", "CPU time, load-independent to first order (contention still costs caches):", "",
              "| voices | floor CPU | koe CPU (T) | koe CPU (1) | peer CPU | koe/floor | peer/koe "
              "| cores: floor, koe T, koe 1, peer |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        cores = ", ".join(fmt_c(ratio(r[f"{x}_cpu"], r[x])) for x in ("floor", "koe", "koe1", "peer"))
        lines.append(
            f"| {r['voices']:,} | {fmt_s(r['floor_cpu'])} | {fmt_s(r['koe_cpu'])} "
            f"| {fmt_s(r['koe1_cpu'])} | {fmt_s(r['peer_cpu'])} "
            f"| {fmt_x(ratio(r['koe_cpu'], r['floor_cpu']))} "
            f"| {fmt_x(ratio(r['peer_cpu'], r['koe_cpu']))} | {cores} |")
    lines += ["", "| voices | koe peak RSS | peer peak RSS | peer/koe | koe NMI | peer NMI |",
              "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['voices']:,} | {fmt_mib(r['koe_rss'])} | {fmt_mib(r['peer_rss'])} "
            f"| {fmt_x(ratio(r['peer_rss'], r['koe_rss']))} | {fmt_nmi(r['koe_nmi'])} "
            f"| {fmt_nmi(r['peer_nmi'])} |")
    lines += [""]
    for r in results:
        lines += [f"### {r['voices']:,} voices: stages", "",
                  "koe stages from `--stats` (median); the peer's from its own timers. "
                  "'rest' is the process wall time minus the stages: for koe start-up, "
                  "dictionary loading and what the CLI does after the pipeline (scoring, writing "
                  "outputs, freeing); for the peer start-up, imports and writing labels.", ""]
        ks, ks1, ps = r["koe_stages"], r["koe1_stages"], r["peer_stages"]
        lines += [f"| stage | koe, {t} threads | koe, 1 thread | scaling | peer |",
                  "|---|---|---|---|---|"]
        peer_of = {"read": "read", "tokenize": "tokenize", "vectorize": "vectorize",
                   "cluster": "cluster"}
        for s in ks:
            p = ps.get(peer_of[s]) if s in peer_of else None
            extra = " (+NFKC)" if s == "read" and p is not None else ""
            lines.append(f"| {s} | {fmt_s(ks[s])} | {fmt_s(ks1.get(s))} "
                         f"| {fmt_x(ratio(ks1.get(s), ks[s]))} | {fmt_s(p)}{extra} |")
        lines.append(f"| rest | {fmt_s(r['koe_rest'])} | {fmt_s(r['koe1_rest'])} | "
                     f"| {fmt_s(r['peer_rest'])} |")
        it = r.get("iteration_bench")
        koe_iter = it["per_iteration"] if it else None
        lines += ["", f"- k-means, one iteration at k = {a.k}: koe {fmt_s(koe_iter)} "
                  f"(koe_bench_cluster BM_KMeansIteration/threads:{t}, iterations 2 to 6 from "
                  f"the same start; final passes {fmt_s(it['fixed']) if it else '–'}), peer "
                  f"{fmt_s(ps.get('per_iteration'))} (cluster time / n_iter_ = "
                  f"{'–' if ps.get('iterations') is None else int(ps['iterations'])}, seeding "
                  f"included) → {fmt_x(ratio(ps.get('per_iteration'), koe_iter))}",
                  f"- vocabulary: koe {r['koe_vocabulary']}, peer "
                  f"{'–' if ps.get('vocabulary') is None else int(ps['vocabulary'])}; "
                  f"peer nonzeros {'–' if ps.get('nonzeros') is None else int(ps['nonzeros'])}",
                  "- every run (floor / koe T / koe 1 / peer, load average before→after): "
                  + "; ".join(
                      f"{x['floor']:.2f} / {x['koe']:.2f} / "
                      f"{x.get('koe1', float('nan')):.2f} / {x.get('peer', float('nan')):.2f} s "
                      f"(load {x['load_before']:.1f}→{x['load_after']:.1f})" for x in r["runs"]),
                  ""]
    lines += targets(a, results)
    # Notes written by hand below the marker (profile, analysis) survive a rerun.
    kept = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
        if KEEP_MARKER in old:
            kept = old[old.index(KEEP_MARKER):]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n" + (kept or KEEP_MARKER + "\n"))
    return lines


def targets(a, results):
    """The issue's targets, checked on the measured medians."""
    def verdict(ok):
        return "–" if ok is None else ("met" if ok else "**missed**")

    out = ["## Targets", "", "| voices | target | measured | verdict |", "|---|---|---|---|"]
    for r in results:
        n = f"{r['voices']:,}"
        kf = ratio(r["koe"], r["floor"])
        kfc = ratio(r["koe_cpu"], r["floor_cpu"])
        out.append(f"| {n} | koe ≤ 1.5 × floor (aim 1.2) | {fmt_x(kf)} (CPU {fmt_x(kfc)}) "
                   f"| {verdict(None if kf is None else kf <= 1.5)} |")
        pk = ratio(r["peer"], r["koe"])
        if pk is not None:
            pkc = ratio(r["peer_cpu"], r["koe_cpu"])
            out.append(f"| {n} | koe ≥ 5 × faster than the peer | {fmt_x(pk)} (CPU {fmt_x(pkc)}) "
                       f"| {verdict(pk >= 5)} |")
        rr = ratio(r["peer_rss"], r["koe_rss"])
        if rr is not None:
            out.append(f"| {n} | koe peak RSS ≤ ½ of the peer's | peer/koe {fmt_x(rr)} "
                       f"| {verdict(rr >= 2)} |")
        sc = ratio(r["koe1"], r["koe"])
        if sc is not None:
            out.append(f"| {n} | scaling 1 → {a.threads} threads ≥ 1.8× | {fmt_x(sc)} (ratio of "
                       f"the medians; median of each repeat's pair: "
                       f"{fmt_x(r.get('scaling_paired'))}) | {verdict(sc >= 1.8)} |")
        it = r.get("iteration_bench")
        pi = ratio(r["peer_stages"].get("per_iteration"), it["per_iteration"] if it else None)
        if pi is not None:
            out.append(f"| {n} | one k-means iteration ≥ 10 × faster than the peer's "
                       f"| {fmt_x(pi)} | {verdict(pi >= 10)} |")
        if r["koe_nmi"] is not None and r["peer_nmi"] is not None:
            out.append(f"| {n} | quality: NMI of koe vs the peer | {r['koe_nmi']:.3f} vs "
                       f"{r['peer_nmi']:.3f} | {verdict(r['koe_nmi'] >= r['peer_nmi'] - 0.01)} |")
        if r["voices"] >= 10_000_000:
            mem = ratio(r["koe_rss"], r["file_bytes"])
            out.append(f"| {n} | completes; peak RSS ≤ 3 × input | {fmt_s(r['koe'])}, "
                       f"{fmt_x(mem)} of {r['file_bytes'] / 1e9:.2f} GB | "
                       f"{verdict(None if mem is None else mem <= 3)} |")
    return out + [""]


def main():
    p = argparse.ArgumentParser(
        prog="benchmarks/run.sh",
        description="koe end to end against the MeCab floor and the Python peer; writes "
                    "benchmarks/RESULTS.md.")
    p.add_argument("--sizes", default="100000,1000000",
                   help="comma-separated corpus sizes (default 100000,1000000)")
    p.add_argument("--large", action="store_true", help="also 10,000,000 voices")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads T for koe and processes for the floor (default nproc)")
    p.add_argument("--repeats", type=int, default=3, help="runs per measurement (default 3)")
    p.add_argument("-k", type=int, default=30, help="clusters (default 30)")
    p.add_argument("--seed", type=int, default=1, help="corpus and clustering seed (default 1)")
    p.add_argument("--no-peer", action="store_true", help="skip the Python peer")
    p.add_argument("--peer-large", action="store_true",
                   help="run the peer above 2M voices too (slow, several GiB)")
    p.add_argument("--no-single", action="store_true", help="skip koe --threads 1")
    p.add_argument("--iteration-bench-max", type=int, default=1_000_000,
                   help="run koe_bench_cluster for sizes up to this (default 1000000; 0 = never)")
    p.add_argument("--note", default="", help="a sentence added to RESULTS.md (machine state)")
    p.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="results file")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    p.add_argument("--work-dir", help="generated corpora and outputs (default BUILD/bench-data)")
    p.add_argument("--render", metavar="JSON",
                   help="only rewrite RESULTS.md from a results.json of an earlier run")
    a = p.parse_args()
    if a.render:
        with open(a.render, encoding="utf-8") as f:
            saved = json.load(f)
        for key, value in saved.get("options", {}).items():
            setattr(a, key, value)
        for r in saved["results"]:
            add_rests(r["runs"])
            for key in ("koe_rest", "koe1_rest", "peer_rest"):
                r[key] = median([x.get(key) for x in r["runs"]])
        write_results(a, saved["facts"], saved["results"], a.out)
        log(f"wrote {a.out} from {a.render}")
        return
    a.command_line = "benchmarks/run.sh " + shlex.join(
        [x for x in sys.argv[1:] if not x.startswith("--build-dir")
         and x != a.build_dir])
    if a.threads < 1 or a.repeats < 1:
        die("--threads and --repeats must be at least 1")
    try:
        sizes = [int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()]
    except ValueError:
        die(f"--sizes must be numbers separated by commas, not '{a.sizes}'")
    if a.large and 10_000_000 not in sizes:
        sizes.append(10_000_000)
    a.build_dir = os.path.abspath(a.build_dir)
    a.work_dir = os.path.abspath(a.work_dir or os.path.join(a.build_dir, "bench-data"))
    os.makedirs(a.work_dir, exist_ok=True)

    facts = machine_facts(a.build_dir)
    results = []
    for n in sizes:
        results.append(measure_size(a, n, facts))
        # Written after every size so an interrupted long run keeps what it measured.
        write_results(a, facts, results, a.out)
        with open(os.path.join(a.work_dir, "results.json"), "w", encoding="utf-8") as f:
            options = {k: getattr(a, k) for k in ("threads", "repeats", "k", "seed", "note",
                                                   "command_line")}
            json.dump({"facts": facts, "options": options, "results": results}, f, indent=1)
    log(f"wrote {a.out}")


if __name__ == "__main__":
    main()
