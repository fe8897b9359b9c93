#!/usr/bin/python3
"""Where koe's CPU time goes, per pipeline stage, from a perf profile with call stacks.

    perf record -e cpu-clock -F 499 --call-graph dwarf,16384 -o koe.perf -- \\
        build-bench/koe cluster voices.csv -k 30 --n-init 1 --threads 2 -q -o out/
    perf script -i koe.perf -F comm,tid,ip,sym,dso | benchmarks/perf_stages.py > profile.md

Each sample is charged to the stage of the innermost koe function on its stack (the enclosing
function of a TBB loop body counts, since its name is in the body's symbol), then to its leaf
function and to the library the leaf lives in (MeCab, libc, koe, ...). cpu-clock samples count CPU
time only, so a busy machine slows the run but does not skew the shares.
"""
import argparse
import collections
import re
import sys

# Stage of a symbol: the rule whose pattern occurs first in the symbol wins, so a loop body named
# "start_for<..., parallel_chunks<koe::describe(..., koe::clustering const&)...>" is describe.
RULES = [
    ("setup", r"koe::tokenizer::tokenizer\(|koe::tokenizer::tokenizer$|koe::pipeline::pipeline"),
    ("read", r"koe::read_corpus|corpus_reader"),
    ("normalize", r"normalize_all|koe::normalize"),
    ("tokenize", r"koe::tokenizer"),
    ("vectorize", r"count_terms|fit_tfidf|koe::transform|koe::vectorize|term_statistics"),
    ("cluster: seeding", r"seed_plus_plus|similarity_to"),
    ("cluster: assign", r"assign_rows"),
    ("cluster: centroids", r"compute_centroids"),
    ("cluster: other", r"koe::cluster\(|cluster_impl|lloyd"),
    ("describe", r"koe::describe"),
    ("score (assess, trace)", r"koe::assess|koe::trace|koe::score"),
    ("pipeline glue", r"koe::pipeline::run"),
    ("write outputs", r"write_report|write_outputs|write_file_atomically|write_clusters_json"
                      r"|write_assignments|write_table"),
]
COMPILED = [(name, re.compile(p)) for name, p in RULES]


def stage_of(frames):
    for sym, _ in frames:
        best = None
        for name, rx in COMPILED:
            m = rx.search(sym)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), name)
        if best:
            return best[1]
    if any("_dl_start" in s or "dl_main" in s for s, _ in frames):
        return "process start"
    return "other"


def short(sym):
    """A readable leaf name: loop bodies by their enclosing function, templates and arguments
    dropped."""
    sym = sym.replace("(anonymous namespace)::", "")
    m = re.search(r"parallel_chunks<(.+?)\(", sym)
    if m and sym.startswith("tbb::"):
        return "loop body in " + short(m.group(1))
    out, depth = [], 0
    for ch in sym.replace("[abi:cxx11]", ""):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out).strip() or sym[:80]


def library(dso):
    d = dso.rsplit("/", 1)[-1]
    for key, name in (("libmecab", "MeCab"), ("libc.so", "libc (malloc, copy, strlen)"),
                      ("libstdc++", "libstdc++"), ("libtbb", "TBB"), ("libicu", "ICU"),
                      ("kernel", "kernel (page faults, syscalls)"), ("ld-linux", "loader")):
        if key in d:
            return name
    return "koe" if d.startswith("koe") or "build" in dso else d


def read_samples(stream):
    frames = []
    for line in stream:
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        if not line.startswith((" ", "\t")):
            continue  # sample header: comm tid
        m = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\(([^()]*)\)\s*$", line)
        if m:
            frames.append([m.group(1), m.group(2)])
    if frames:
        yield frames


def resolve_inlined(frames):
    """An inlined frame lives in the library of the next real frame up the stack."""
    for i in range(len(frames) - 2, -1, -1):
        if frames[i][1] == "inlined":
            frames[i][1] = frames[i + 1][1]
    return frames


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("input", nargs="?", help="perf script output (default: standard input)")
    p.add_argument("--top", type=int, default=8, help="leaf functions listed per stage")
    a = p.parse_args()
    stream = open(a.input, encoding="utf-8", errors="replace") if a.input else sys.stdin

    total = 0
    per_stage = collections.Counter()
    leaves = collections.defaultdict(collections.Counter)
    libs = collections.defaultdict(collections.Counter)
    for frames in read_samples(stream):
        frames = resolve_inlined(frames)
        total += 1
        s = stage_of(frames)
        per_stage[s] += 1
        sym, dso = frames[0]
        if sym == "[unknown]":
            name = f"[unknown in {library(dso)}]"
        elif library(dso).startswith("kernel"):
            name = f"kernel: {short(sym)}"
        else:
            name = short(sym)
        leaves[s][name] += 1
        libs[s][library(dso)] += 1
    if total == 0:
        sys.exit("perf_stages: no samples read (use perf script -F comm,tid,ip,sym,dso)")

    print(f"{total} samples (CPU time, all threads)\n")
    print("| stage | share of CPU | by library of the leaf function |")
    print("|---|---|---|")
    for s, n in per_stage.most_common():
        lib = ", ".join(f"{k} {100 * v / n:.0f}%" for k, v in libs[s].most_common(4))
        print(f"| {s} | {100 * n / total:.1f}% | {lib} |")
    print()
    for s, n in per_stage.most_common():
        if n < total * 0.005:
            continue
        print(f"**{s}** ({100 * n / total:.1f}% of CPU): top leaf functions, share of the stage\n")
        for sym, c in leaves[s].most_common(a.top):
            print(f"- {100 * c / n:.1f}% `{sym}`")
        print()


if __name__ == "__main__":
    main()
