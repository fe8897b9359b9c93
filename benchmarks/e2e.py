#!/usr/bin/python3
"""End-to-end benchmark driver behind benchmarks/run.sh (which builds koe first).

For each corpus size and each corpus profile (koe-generate --profile default|hard): generates
the voices, then in every repeat times, on the same file and the same number of threads T,
  * the floor: `mecab -Owakati` on the text column split into T parts, T processes at once;
  * koe: `koe cluster FILE -k K --threads T --n-init 1 --stats`, and again with --threads 1;
  * the peers (MeCab Python binding + scikit-learn, KMeans on T threads): peer.py on the CSV,
    lean.py on the text column as plain lines.
Wall time is measured around each process; peak RSS is the child's ru_maxrss from wait4(2), the
number GNU time -v reports. Medians over the repeats go to RESULTS.md as ratios against the
targets (peer/koe time, koe/peer memory, koe/floor time) with NMI against the true topics, the
machine facts and the command line.
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

# The Python peers, by name: the script in benchmarks/peer/.
PEERS = {"peer": "peer.py", "lean": "lean.py"}
PEER_STAGES = ("read", "tokenize", "vectorize", "cluster")
# Targets: koe at least this many times faster than each peer (wall time), at most this share of
# a peer's peak RSS, and at most this many times the MeCab floor.
TARGET_SPEEDUP = 6.0
TARGET_RSS = 0.5
TARGET_FLOOR = 1.2


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


def generate(gen, n, seed, path, profile):
    if os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(gen):
        return
    log(f"generating {n} voices ({profile}) -> {path}")
    t = time.perf_counter()
    tmp = path + ".tmp"
    subprocess.run([gen, "--voices", str(n), "--seed", str(seed), "--profile", profile, "-o", tmp],
                   check=True)
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
    """Stage seconds and peak memory from `koe cluster --stats`: lines "koe: STAGE SECONDS s
    [(peak memory M MiB)]". Returns ({stage: seconds}, {stage: peak bytes})."""
    stages, peaks = {}, {}
    for line in stderr.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == "koe:" and f[3] == "s":
            try:
                stages[f[1]] = float(f[2])
                if len(f) >= 8 and f[4] == "(peak" and f[7].startswith("MiB"):
                    peaks[f[1]] = int(f[6]) * 2**20
            except ValueError:
                pass
    return stages, peaks


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def iteration_bench(build, n, threads, corpus):
    """koe's time per k-means iteration from koe_bench_cluster at this size on this corpus
    profile (None if the program is absent)."""
    exe = os.path.join(build, "benchmarks", "koe_bench_cluster")
    if not os.path.exists(exe):
        return None
    env = dict(os.environ, KOE_BENCH_VOICES=str(n), KOE_BENCH_PROFILE=corpus)
    cmd = [exe, f"--benchmark_filter=BM_KMeansIteration/threads:{threads}/",
           "--benchmark_format=json"]
    log(f"koe_bench_cluster (per-iteration) at {n} {corpus} voices, {threads} threads")
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
        for p in rec.get("peers", {}).values():
            p["rest"] = p["wall"] - sum(p["stages"].get(s, 0.0) for s in PEER_STAGES)


def peer_command(a, name, data, lines, labels, out_json):
    """The command line of one peer: peer.py reads the CSV, lean.py the plain text lines."""
    script = os.path.join(HERE, "peer", PEERS[name])
    src = lines if name == "lean" else data
    return [sys.executable, script, src, "-k", str(a.k), "--seed", str(a.seed),
            "--labels", labels, "--json", out_json]


def measure_size(a, corpus, n):
    """Every repeat of the floor, koe (T threads and 1) and each peer on one corpus and size."""
    tag = f"{corpus}-{n}-s{a.seed}"
    data = os.path.join(a.work_dir, f"voices-{tag}.csv")
    generate(os.path.join(a.build_dir, "benchmarks", "koe-generate"), n, a.seed, data, corpus)
    parts = split_text_column(data, a.threads, os.path.join(a.work_dir, f"text-{tag}"))
    lines = split_text_column(data, 1, os.path.join(a.work_dir, f"text-{tag}"))[0]
    koe = os.path.join(a.build_dir, "koe")
    out_dir = os.path.join(a.work_dir, f"out-{tag}")
    peers = [p for p in a.peers if n <= 2_000_000 or a.peer_large]
    thread_env = dict(os.environ, OMP_NUM_THREADS=str(a.threads),
                      OPENBLAS_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads))
    koe_cmd = [koe, "cluster", data, "-k", str(a.k), "--n-init", "1", "--seed", str(a.seed),
               "--stats", "-q"]
    what = f"{corpus} {n} voices"
    runs = []
    for r in range(a.repeats):
        rec = {"load_before": loadavg(), "peers": {}}
        step = f"{what}, repeat {r + 1}/{a.repeats}"
        log(f"{step}: floor (mecab -Owakati × {a.threads})")
        rec["floor"], rec["floor_cpu"], rec["floor_rss"], _ = run_timed(
            [["mecab", "-d", IPADIC, "-Owakati", p] for p in parts])
        log(f"{step}: koe --threads {a.threads}")
        rec["koe"], rec["koe_cpu"], rec["koe_rss"], err = run_timed(
            [koe_cmd + ["--threads", str(a.threads), "-o", out_dir]])
        rec["koe_stages"], rec["koe_peaks"] = parse_koe_stats(err[0])
        if a.threads > 1 and not a.no_single:
            log(f"{step}: koe --threads 1")
            rec["koe1"], rec["koe1_cpu"], rec["koe1_rss"], err = run_timed(
                [koe_cmd + ["--threads", "1", "-o", out_dir + "-t1"]])
            rec["koe1_stages"], _ = parse_koe_stats(err[0])
        for name in peers:
            log(f"{step}: {name} (Python)")
            labels = os.path.join(a.work_dir, f"{name}-{tag}.csv")
            out_json = os.path.join(a.work_dir, f"{name}-{tag}.json")
            wall, cpu, rss, _ = run_timed(
                [peer_command(a, name, data, lines, labels, out_json)], env=thread_env)
            with open(out_json, encoding="utf-8") as f:
                rec["peers"][name] = {"wall": wall, "cpu": cpu, "rss": rss, "stages": json.load(f)}
        rec["load_after"] = loadavg()
        runs.append(rec)
        log(f"  floor {rec['floor']:.2f} s, koe {rec['koe']:.2f} s"
            + (f", koe/1 {rec['koe1']:.2f} s" if "koe1" in rec else "")
            + "".join(f", {k} {v['wall']:.2f} s" for k, v in rec["peers"].items())
            + f", load {rec['load_before']:.1f}→{rec['load_after']:.1f}")

    add_rests(runs)
    res = {"corpus": corpus, "voices": n, "file": data, "file_bytes": os.path.getsize(data),
           "runs": runs}
    summarize(res)
    truth = read_topics(data)
    res["koe_nmi"] = nmi(os.path.join(out_dir, "assignments.csv"), truth, "cluster")
    for name in peers:
        res["peers"][name]["nmi"] = nmi(os.path.join(a.work_dir, f"{name}-{tag}.csv"), truth,
                                        "cluster")
    with open(os.path.join(out_dir, "clusters.json"), encoding="utf-8") as f:
        res["koe_vocabulary"] = json.load(f).get("vocabulary_size")
    res["iteration_bench"] = (iteration_bench(a.build_dir, n, a.threads, corpus)
                              if n <= a.iteration_bench_max else None)
    return res


def summarize(res):
    """Medians over the repeats of one corpus and size, written into `res`."""
    runs = res["runs"]
    for key in ("floor", "floor_cpu", "floor_rss", "koe", "koe_cpu", "koe_rss", "koe_rest", "koe1",
                "koe1_cpu", "koe1_rss", "koe1_rest"):
        res[key] = median([x.get(key) for x in runs])
    stage_names = []
    for x in runs:
        stage_names += [s for s in x.get("koe_stages", {}) if s not in stage_names]
    # Each repeat runs koe with T threads and with 1 back to back: the median of those pairs'
    # ratios is less exposed to a load that comes and goes across repeats than the ratio of the
    # two medians (which the verdict uses).
    res["scaling_paired"] = median([x["koe1"] / x["koe"] for x in runs
                                    if x.get("koe1") and x.get("koe")])
    for key in ("koe_stages", "koe1_stages", "koe_peaks"):
        res[key] = {s: median([x.get(key, {}).get(s) for x in runs]) for s in stage_names}
    names = []
    for x in runs:
        names += [p for p in x.get("peers", {}) if p not in names]
    nmis = {k: v.get("nmi") for k, v in res.get("peers", {}).items()}
    res["peers"] = {}
    for name in names:
        ps = [x["peers"][name] for x in runs if name in x.get("peers", {})]
        res["peers"][name] = {key: median([p.get(key) for p in ps])
                              for key in ("wall", "cpu", "rss", "rest")}
        res["peers"][name]["stages"] = {
            s: median([p["stages"].get(s) for p in ps])
            for s in PEER_STAGES + ("per_iteration", "iterations", "vocabulary", "nonzeros")}
        res["peers"][name]["nmi"] = nmis.get(name)


def title(r):
    return f"{r['corpus']}, {r['voices']:,} voices"


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
    lines += side_by_side(a, results)
    lines += end_to_end(a, results)
    for r in results:
        lines += stage_table(a, r)
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


def side_by_side(a, results):
    """The three targets on every corpus, size and peer, as ratios in one table."""
    out = ["## Targets side by side", "",
           f"Medians of {a.repeats} runs, {a.threads} threads, k = {a.k}. Targets: "
           f"peer/koe wall time ≥ {TARGET_SPEEDUP:g}×, koe/peer peak RSS ≤ {TARGET_RSS:g}, "
           f"koe/floor wall time ≤ {TARGET_FLOOR:g}× (floor = `mecab -Owakati`, {a.threads} "
           "processes). Peers: `peer` = [peer/peer.py](peer/peer.py) (CSV, NFKC, node by node), "
           "`lean` = [peer/lean.py](peer/lean.py) (plain lines, one `parse()` string per voice). "
           "A ratio in **bold** misses its target.", "",
           "| corpus | voices | CSV | koe | koe/floor | peer | peer/koe | koe/peer RSS | NMI koe/peer |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        kf = ratio(r["koe"], r["floor"])
        head = (f"| {r['corpus']} | {r['voices']:,} | {r['file_bytes'] / 1e6:.0f} MB "
                f"| {fmt_s(r['koe'])}, {fmt_mib(r['koe_rss'])} "
                f"| {mark(fmt_x(kf), kf is not None and kf > TARGET_FLOOR)} ")
        if not r["peers"]:
            out.append(head + "| – | – | – | – |")
        for name, p in r["peers"].items():
            sp = ratio(p["wall"], r["koe"])
            rr = ratio(r["koe_rss"], p["rss"])
            out.append(head + f"| {name}: {fmt_s(p['wall'])}, {fmt_mib(p['rss'])} "
                       f"| {mark(fmt_x(sp), sp is not None and sp < TARGET_SPEEDUP)} "
                       f"| {mark(fmt_c(rr), rr is not None and rr > TARGET_RSS)} "
                       f"| {fmt_nmi(r['koe_nmi'])} / {fmt_nmi(p.get('nmi'))} |")
    return out + [""]


def mark(text, missed):
    return f"**{text}**" if missed else text


def end_to_end(a, results):
    t = a.threads
    out = ["## End to end", "",
           f"Wall time of each process (start to exit), median of {a.repeats}. CPU = user + "
           "system time of the process (summed over the floor's processes); cores = CPU / wall, "
           "how much of the machine a run actually got. Peak RSS = ru_maxrss of the process "
           "(largest of the floor's processes).", "",
           f"| corpus | voices | floor | koe ({t}) | koe (1) | scaling 1→{t} | floor CPU | koe CPU "
           f"| cores: floor, koe {t}, koe 1 |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        cores = ", ".join(fmt_c(ratio(r[f"{x}_cpu"], r[x])) for x in ("floor", "koe", "koe1"))
        out.append(f"| {r['corpus']} | {r['voices']:,} | {fmt_s(r['floor'])} | {fmt_s(r['koe'])} "
                   f"| {fmt_s(r['koe1'])} | {fmt_x(ratio(r['koe1'], r['koe']))} "
                   f"| {fmt_s(r['floor_cpu'])} | {fmt_s(r['koe_cpu'])} | {cores} |")
    out += ["", "| corpus | voices | peer | wall | CPU | cores | peak RSS | peer/koe CPU "
            "| iterations | vocabulary (koe) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for name, p in r["peers"].items():
            ps = p["stages"]
            it = ps.get("iterations")
            out.append(f"| {r['corpus']} | {r['voices']:,} | {name} | {fmt_s(p['wall'])} "
                       f"| {fmt_s(p['cpu'])} | {fmt_c(ratio(p['cpu'], p['wall']))} "
                       f"| {fmt_mib(p['rss'])} | {fmt_x(ratio(p['cpu'], r['koe_cpu']))} "
                       f"| {'–' if it is None else int(it)} "
                       f"| {'–' if ps.get('vocabulary') is None else int(ps['vocabulary'])} "
                       f"({r['koe_vocabulary']}) |")
    return out + [""]


def stage_table(a, r):
    t = a.threads
    names = list(r["peers"])
    out = [f"### {title(r)}: stages", "",
           "koe stages from `--stats` (median), with the process's peak memory at the end of "
           "each; the peers' from their own timers. 'rest' is the process wall time minus the "
           "stages: for koe start-up and freeing, for a peer start-up, imports and writing "
           "labels.", "",
           f"| stage | koe, {t} threads | peak memory | koe, 1 thread | scaling | "
           + " | ".join(names) + " |", "|---|---|---|---|---|" + "---|" * len(names)]
    peer_of = {"read": "read", "tokenize": "tokenize", "vectorize": "vectorize",
               "cluster": "cluster"}
    ks, ks1 = r["koe_stages"], r["koe1_stages"]
    for s in ks:
        cells = [fmt_s(p["stages"].get(peer_of[s])) if s in peer_of else "–"
                 for p in r["peers"].values()]
        out.append(f"| {s} | {fmt_s(ks[s])} | {fmt_mib(r['koe_peaks'].get(s))} "
                   f"| {fmt_s(ks1.get(s))} | {fmt_x(ratio(ks1.get(s), ks[s]))} | "
                   + " | ".join(cells) + " |")
    out.append(f"| rest | {fmt_s(r['koe_rest'])} | | {fmt_s(r['koe1_rest'])} | | "
               + " | ".join(fmt_s(p["rest"]) for p in r["peers"].values()) + " |")
    it = r.get("iteration_bench")
    if it:
        out += ["", f"- k-means, one iteration: koe {fmt_s(it['per_iteration'])} "
                f"(koe_bench_cluster BM_KMeansIteration/threads:{t}, KOE_BENCH_PROFILE="
                f"{r['corpus']}; final passes {fmt_s(it['fixed'])})"]
    for name, p in r["peers"].items():
        ps = p["stages"]
        iters = "–" if ps.get("iterations") is None else int(ps["iterations"])
        out.append(f"- {name}: {fmt_s(ps.get('per_iteration'))} per k-means iteration "
                   f"(cluster time / n_iter_ = {iters}, seeding included)"
                   + (f" → {fmt_x(ratio(ps.get('per_iteration'), it['per_iteration']))} koe's"
                      if it else ""))
    out.append("- every run (floor / koe T / koe 1 / peers, load average before→after): " + "; ".join(
        f"{x['floor']:.2f} / {x['koe']:.2f} / "
        + (f"{x['koe1']:.2f}" if "koe1" in x else "–")
        + "".join(f" / {v['wall']:.2f}" for v in x.get("peers", {}).values())
        + f" s (load {x['load_before']:.1f}→{x['load_after']:.1f})" for x in r["runs"]))
    return out + [""]


def targets(a, results):
    """The targets, checked on the measured medians."""
    def verdict(ok):
        return "–" if ok is None else ("met" if ok else "**missed**")

    out = ["## Targets", "", "| corpus, voices | target | measured | verdict |",
           "|---|---|---|---|"]
    for r in results:
        n = title(r)
        kf = ratio(r["koe"], r["floor"])
        kfc = ratio(r["koe_cpu"], r["floor_cpu"])
        out.append(f"| {n} | koe ≤ {TARGET_FLOOR:g} × floor | {fmt_x(kf)} (CPU {fmt_x(kfc)}) "
                   f"| {verdict(None if kf is None else kf <= TARGET_FLOOR)} |")
        for name, p in r["peers"].items():
            pk = ratio(p["wall"], r["koe"])
            pkc = ratio(p["cpu"], r["koe_cpu"])
            out.append(f"| {n} | koe ≥ {TARGET_SPEEDUP:g} × faster than {name} | {fmt_x(pk)} "
                       f"(CPU {fmt_x(pkc)}) | {verdict(None if pk is None else pk >= TARGET_SPEEDUP)} |")
            rr = ratio(r["koe_rss"], p["rss"])
            out.append(f"| {n} | koe peak RSS ≤ {TARGET_RSS:g} × {name}'s | {fmt_c(rr)} "
                       f"| {verdict(None if rr is None else rr <= TARGET_RSS)} |")
            if r["koe_nmi"] is not None and p.get("nmi") is not None:
                out.append(f"| {n} | quality: NMI of koe vs {name} | {r['koe_nmi']:.3f} vs "
                           f"{p['nmi']:.3f} | {verdict(r['koe_nmi'] >= p['nmi'] - 0.01)} |")
        sc = ratio(r["koe1"], r["koe"])
        if sc is not None:
            out.append(f"| {n} | scaling 1 → {a.threads} threads ≥ 1.8× | {fmt_x(sc)} (pairs: "
                       f"{fmt_x(r.get('scaling_paired'))}) | {verdict(sc >= 1.8)} |")
        if r["voices"] >= 10_000_000:
            mem = ratio(r["koe_rss"], r["file_bytes"])
            out.append(f"| {n} | completes; peak RSS ≤ 3 × input | {fmt_s(r['koe'])}, "
                       f"{fmt_x(mem)} of {r['file_bytes'] / 1e9:.2f} GB | "
                       f"{verdict(None if mem is None else mem <= 3)} |")
    return out + [""]


def split_list(text, allowed, what):
    items = [x.strip() for x in text.split(",") if x.strip()]
    for x in items:
        if x not in allowed:
            die(f"{what}: unknown '{x}' (choose from {', '.join(allowed)})")
    return items


def main():
    p = argparse.ArgumentParser(
        prog="benchmarks/run.sh",
        description="koe end to end against the MeCab floor and the Python peers, on the default "
                    "and the hard corpus; writes benchmarks/RESULTS.md.")
    p.add_argument("--sizes", "--voices", dest="sizes", default="100000,1000000",
                   help="comma-separated corpus sizes in voices (default 100000,1000000)")
    p.add_argument("--corpora", default="default,hard",
                   help="koe-generate profiles to measure (default default,hard)")
    p.add_argument("--peers", default="peer,lean",
                   help="Python peers: peer (peer.py), lean (lean.py); default both; '' = none")
    p.add_argument("--large", action="store_true", help="also 10,000,000 voices")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads T for koe and processes for the floor (default nproc)")
    p.add_argument("--repeats", type=int, default=3, help="runs per measurement (default 3)")
    p.add_argument("-k", type=int, default=30, help="clusters (default 30)")
    p.add_argument("--seed", type=int, default=1, help="corpus and clustering seed (default 1)")
    p.add_argument("--no-peer", action="store_true", help="skip the Python peers (= --peers '')")
    p.add_argument("--peer-large", action="store_true",
                   help="run the peers above 2M voices too (slow, several GiB)")
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
            summarize(r)
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
    corpora = split_list(a.corpora, ("default", "hard"), "--corpora")
    a.peers = [] if a.no_peer else split_list(a.peers, tuple(PEERS), "--peers")
    a.build_dir = os.path.abspath(a.build_dir)
    a.work_dir = os.path.abspath(a.work_dir or os.path.join(a.build_dir, "bench-data"))
    os.makedirs(a.work_dir, exist_ok=True)

    facts = machine_facts(a.build_dir)
    results = []
    for n in sizes:
        for corpus in corpora:
            results.append(measure_size(a, corpus, n))
            # Written after every measurement so an interrupted long run keeps what it measured.
            write_results(a, facts, results, a.out)
            with open(os.path.join(a.work_dir, "results.json"), "w", encoding="utf-8") as f:
                options = {k: getattr(a, k) for k in ("threads", "repeats", "k", "seed", "note",
                                                       "command_line")}
                json.dump({"facts": facts, "options": options, "results": results}, f, indent=1)
    log(f"wrote {a.out}")


if __name__ == "__main__":
    main()
