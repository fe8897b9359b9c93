#!/usr/bin/env python3
"""Measures what the lineage thresholds (koe.toml [lineage]) must separate.

Two fits stand for two months: a "previous" fit on one bootstrap resample of a labelled corpus and
a "current" fit on another. On stationary data (both resamples of the same corpus, the same k)
nothing happened, so every event but `continued` is a false alarm. On planted changes one thing
happened: a topic removed (dormant), a topic added (born), k one lower (two clusters merged) or
one higher (one cluster split). For each pair it builds the comparison a refit fills (centroid
cosine in the current fit's vocabulary, Hungarian matching, contingency of the current voices as
the previous model assigns them against the current fit), prints the figures the thresholds act
on, and counts the events koe's own rules (koe.changes) name for a grid of thresholds.

    PYTHONPATH=build/bindings/python KOE_BUILD_DIR=build /usr/bin/python3 \\
        benchmarks/lineage_thresholds.py --corpus /work/shared/corpora/asdc-topic-queries/voices.tsv

Independent fits stand in for a refit's warm start, so the stationary figures are pessimistic:
a warm-started refit moves its centroids less than a fresh fit does.
"""
import argparse
import collections
import csv
import json
import sys

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment

import koe

csv.field_size_limit(1 << 24)

# How the previous model places this period's voices in the contingency table (koe assign's
# --new-theme): "auto" puts voices far from every cluster in the last row, as a refit does.
NEW_THEME = "auto"


def read_corpus(path, subset):
    """(texts, topics) of a TSV with id, label, text (asdc) or a CSV with id, text, topic."""
    texts, topics = [], []
    with open(path, encoding="utf-8", newline="") as f:
        tsv = path.endswith(".tsv")
        for row in csv.DictReader(f, delimiter="\t" if tsv else ","):
            if subset and not row["id"].startswith(subset):
                continue
            topic = row["label"] if tsv else row["topic"]
            texts.append(row["text"])
            topics.append(topic)
    return texts, np.array(topics)


def fit(texts, k, seed):
    p = koe.Pipeline(k=k, seed=seed, threads=2)
    p.fit(list(texts))
    return p


def shares(model, labels):
    n = max(len(labels), 1)
    ids = [c["id"] for c in model.clusters]
    return ids, [float(np.sum(labels == i)) / n for i in ids]


def compare(prev, cur, cur_texts, min_similarity):
    """The refit comparison of `cur` against `prev` (fields of koe::refit_comparison)."""
    pm, cm = prev.model, cur.model
    where = {t: i for i, t in enumerate(cm.vocabulary)}
    src = [a for a, t in enumerate(pm.vocabulary) if t in where]
    dst = [where[pm.vocabulary[a]] for a in src]
    p = np.zeros((pm.k, len(cm.vocabulary)))
    p[:, dst] = pm.centroids[:, src]
    p /= np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-12)
    c = np.asarray(cm.centroids, dtype=float)
    sim = c @ p.T
    rows, cols = linear_sum_assignment(-sim)
    pairs = sim[rows, cols]
    match = [-1] * cm.k
    for r, q in zip(rows, cols):
        if sim[r, q] >= min_similarity:
            match[r] = int(q)
    previous_ids, previous_share = shares(pm, np.asarray(prev.labels_))
    new_ids_fit, share = shares(cm, np.asarray(cur.labels_))
    ids = [previous_ids[m] if m >= 0 else 1000 + i for i, m in enumerate(match)]
    prev_col = {v: j for j, v in enumerate(previous_ids)}
    cur_row = {v: i for i, v in enumerate(new_ids_fit)}
    before = pm.predict(list(cur_texts), new_theme=NEW_THEME)
    table = np.zeros((pm.k + 1, cm.k + 1), dtype=int)
    for b, a in zip(before, np.asarray(cur.labels_)):
        table[prev_col.get(int(b), pm.k), cur_row.get(int(a), cm.k)] += 1
    comparison = {
        "previous_period": "A", "period": "B",
        "previous_ids": previous_ids, "previous_dormant": [False] * pm.k,
        "previous_share": previous_share, "ids": ids, "share": share,
        "similarity": sim.tolist(), "match": match, "contingency": table.tolist()}
    return comparison, sim, pairs


def spherical_kmeans(x, init, iterations=20):
    """Lloyd iterations of spherical k-means on the unit rows of `x` from the centroids `init`:
    a refit's warm start. A cluster left empty keeps a zero centroid (it goes dormant)."""
    c = np.array(init, dtype=float)
    known = np.asarray(x.multiply(x).sum(axis=1)).ravel() > 0
    rows = np.flatnonzero(known)
    labels = np.full(x.shape[0], -1)
    for _ in range(iterations):
        s = np.asarray(x[rows] @ c.T)
        new = s.argmax(axis=1)
        if np.array_equal(new, labels[rows]):
            break
        labels[rows] = new
        m = sparse.csr_matrix((np.ones(len(rows)), (new, rows)), shape=(len(c), x.shape[0]))
        sums = np.asarray((m @ x).todense())
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        c = np.where(norms > 0, sums / np.maximum(norms, 1e-12), 0.0)
    return c, labels


def unit(v):
    v = np.asarray(v, dtype=float).ravel()
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def warm_compare(prev, prev_labels, cur_texts, cur_topics, scenario, topic, min_similarity):
    """The comparison of a warm-started refit on `cur_texts` in the previous model's space, with
    the planted change of `scenario` made to the starting centroids."""
    pm = prev.model
    x = pm.tfidf(list(cur_texts))
    p = np.asarray(pm.centroids, dtype=float)
    init = [row for row in p]
    if scenario == "add":
        init.append(unit(x[cur_topics == topic].sum(axis=0)))
    elif scenario in ("split", "merge"):
        before = np.asarray(pm.predict(list(cur_texts), new_theme="off"))
        ids = [c["id"] for c in pm.clusters]
        if scenario == "split":
            # The largest previous cluster, divided by the topic labels of its voices: its main
            # topic in one part, the others in the other.
            j = int(np.argmax([np.sum(before == i) for i in ids]))
            mine = before == ids[j]
            main = collections.Counter(cur_topics[mine]).most_common(1)[0][0]
            init[j] = unit(x[mine & (cur_topics == main)].sum(axis=0))
            init.append(unit(x[mine & (cur_topics != main)].sum(axis=0)))
        else:
            # The two most similar previous clusters, started from one centroid.
            sim = p @ p.T
            np.fill_diagonal(sim, -1)
            j1, j2 = np.unravel_index(np.argmax(sim), sim.shape)
            init[min(j1, j2)] = unit(p[j1] + p[j2])
            del init[max(j1, j2)]
    c, labels = spherical_kmeans(x, np.array(init))
    live = np.flatnonzero(np.linalg.norm(c, axis=1) > 0)
    c, remap = c[live], {int(old): n for n, old in enumerate(live)}
    sim = c @ p.T
    rows, cols = linear_sum_assignment(-sim)
    match = [-1] * len(c)
    for r, q in zip(rows, cols):
        if sim[r, q] >= min_similarity:
            match[r] = int(q)
    previous_ids, previous_share = shares(pm, np.asarray(prev_labels))
    ids = [previous_ids[m] if m >= 0 else 1000 + i for i, m in enumerate(match)]
    n = max(len(labels), 1)
    share = [float(np.sum(labels == old)) / n for old in live]
    prev_col = {v: j for j, v in enumerate(previous_ids)}
    before = pm.predict(list(cur_texts), new_theme=NEW_THEME)
    table = np.zeros((pm.k + 1, len(c) + 1), dtype=int)
    for b, a in zip(before, labels):
        table[prev_col.get(int(b), pm.k), remap.get(int(a), len(c))] += 1
    comparison = {
        "previous_period": "A", "period": "B",
        "previous_ids": previous_ids, "previous_dormant": [False] * pm.k,
        "previous_share": previous_share, "ids": ids, "share": share,
        "similarity": sim.tolist(), "match": match, "contingency": table.tolist()}
    return comparison, sim, sim[rows, cols]


def deciding_figures(comparison, sim):
    """The figures the thresholds act on, for one comparison at min_similarity 0: the least
    cosine of a matched pair; the largest share of a previous cluster's voices going to an
    unmatched new cluster (a split part, or a new theme's voices the previous model had placed);
    the largest share of a new cluster's voices coming from an unmatched previous cluster."""
    t = np.asarray(comparison["contingency"], dtype=float)
    match = comparison["match"]
    matched_cols = {m for m in match if m >= 0}
    pairs = [sim[i, m] for i, m in enumerate(match) if m >= 0]
    rows, cols = t[:-1].sum(axis=1), t.sum(axis=0)
    give = [t[j, i] / rows[j] for j in range(len(rows)) for i, m in enumerate(match)
            if m < 0 and rows[j] > 0]
    take = [t[j, i] / cols[i] for j in range(len(rows)) for i in range(len(match))
            if j not in matched_cols and cols[i] > 0]
    # Cosine of each unmatched new cluster with the previous cluster giving it the largest share.
    part_cos = [sim[i, int(np.argmax(t[:-1, i] / np.maximum(rows, 1)))]
                for i, m in enumerate(match) if m < 0]
    # Cosine of each unmatched previous cluster with the new cluster taking the largest share of
    # its voices.
    unmatched = [j for j in range(len(rows)) if j not in matched_cols and rows[j] > 0]
    merge_cos = [sim[int(np.argmax(t[j, :-1])), j] for j in unmatched]
    return {"matched_cos_min": min(pairs) if pairs else 1.0,
            "absorbed_cos_max": max(merge_cos, default=0.0),
            "part_cos_max": max(part_cos, default=0.0),
            "give_to_unmatched_max": max(give, default=0.0),
            "take_from_unmatched_max": max(take, default=0.0)}


def part_shares(comparison):
    """For each previous column, its voices' shares by new cluster, largest first (2 kept)."""
    t = np.asarray(comparison["contingency"], dtype=float)[:-1]
    out = []
    for row in t:
        total = row.sum()
        if total > 0:
            s = np.sort(row[:-1] / total)[::-1]
            out.append(s[:2])
    return np.array(out)


SCENARIOS = {
    # name: (drop topic from previous, drop topic from current, k delta of current, expected)
    "stationary": (False, False, 0, collections.Counter()),
    "remove": (False, True, -1, collections.Counter({"dormant": 1})),
    "add": (True, False, +1, collections.Counter({"born": 1})),
    "merge": (False, False, -1, collections.Counter({"merged": 1, "dormant": 1})),
    "split": (False, False, +1, collections.Counter({"split": 1, "born": 1})),
}


def events_of(changes):
    return collections.Counter(e["kind"] for e in changes["events"] if e["kind"] != "continued")


def run(args):
    global NEW_THEME
    NEW_THEME = args.new_theme
    texts, topics = read_corpus(args.corpus, args.subset)
    texts = np.array(texts, dtype=object)
    names, counts = np.unique(topics, return_counts=True)
    k = args.k or len(names)
    order = np.argsort(-counts)
    # Planted topics: mid-sized ones (not the largest), one per repeat.
    planted = [names[i] for i in order[1:]]
    print(f"corpus {args.corpus} subset {args.subset or '-'}: {len(texts)} voices, "
          f"{len(names)} topics, k={k}")
    grid = [(s, q, v, c) for s in args.similarities for q in args.part_shares for v in args.voices
            for c in args.part_similarities]
    found = {name: collections.Counter() for name in SCENARIOS}
    figures = collections.defaultdict(list)
    for rep in range(args.repeats):
        rng = np.random.default_rng(1000 + rep)
        a = rng.choice(len(texts), len(texts), replace=True)
        b = rng.choice(len(texts), len(texts), replace=True)
        topic = planted[rep % len(planted)]
        base = fit(texts[a], k, args.seed)
        without = None
        for name, (drop_prev, drop_cur, dk, expected) in SCENARIOS.items():
            if name not in args.scenarios:
                continue
            if drop_prev:
                if without is None:
                    without = fit(texts[a][topics[a] != topic], k - 1, args.seed)
                prev = without
            else:
                prev = base
            what = f"topic {topic}" if name == "add" else ""
            cur_idx = b
            if drop_cur:
                # A theme stops: this period has none of the voices the previous model puts in
                # one of its clusters (by size rank, the largest left out).
                before = np.asarray(prev.model.predict(list(texts[b]), new_theme="off"))
                sizes = sorted(((c["size"], c["id"]) for c in prev.model.clusters), reverse=True)
                gone = sizes[1 + rep % (len(sizes) - 1)][1]
                cur_idx = b[before != gone]
                what = f"cluster {gone}"
            if args.mode == "warm":
                prev_labels = prev.labels_
                comparison, sim, pairs = warm_compare(prev, prev_labels, texts[cur_idx],
                                                      topics[cur_idx], name, topic, 0.0)
            else:
                kc = k + dk if not drop_prev else k
                cur = fit(texts[cur_idx], kc, args.seed)
                comparison, sim, pairs = compare(prev, cur, texts[cur_idx], 0.0)
            figures[name + ":pair_cos"].extend(pairs.tolist())
            d = deciding_figures(comparison, sim)
            for key, v in d.items():
                figures[f"{name}:{key}"].append(v)
            line = [f"rep {rep} {name:10s} {what}: " +
                    " ".join(f"{key} {v:.3f}" for key, v in d.items())]
            for s, q, v, ps in grid:
                comp = dict(comparison)
                comp["match"] = [m if m >= 0 and sim[i, m] >= s else -1
                                 for i, m in enumerate(comparison["match"])]
                # Recompute ids after the floor: an unmatched cluster gets a new id.
                comp["ids"] = [comparison["previous_ids"][m] if m >= 0 else 1000 + i
                               for i, m in enumerate(comp["match"])]
                ev = events_of(koe.changes(comp, min_similarity=s, min_part_share=q,
                                           min_voices=v, min_part_similarity=ps))
                ok = ev == expected
                found[name][(s, q, v, ps)] += ok
                if (s, q, v, ps) == tuple(args.show):
                    line.append(f"events {dict(ev)} {'ok' if ok else 'WRONG'}")
            print("  ".join(line), flush=True)
    print("\nfigures (all repeats):")
    for key, v in sorted(figures.items()):
        v = np.array(v)
        print(f"  {key:24s} n={len(v):4d} min {v.min():.3f} p5 {np.percentile(v, 5):.3f} "
              f"median {np.median(v):.3f} p95 {np.percentile(v, 95):.3f} max {v.max():.3f}")
    print("\nrepeats with exactly the planted events (of "
          f"{args.repeats}), by min_similarity / min_part_share / min_voices / "
          "min_part_similarity:")
    names_run = [n for n in SCENARIOS if n in args.scenarios]
    print("  " + " ".join(f"{n:>10s}" for n in names_run) + "   thresholds")
    for g in grid:
        print("  " + " ".join(f"{found[n][g]:>10d}" for n in names_run) + f"   {g}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"found": {n: {str(g): c for g, c in found[n].items()} for n in found},
                       "figures": {k2: v for k2, v in figures.items()}}, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--subset", default="", help="keep ids starting with this prefix")
    ap.add_argument("--mode", choices=["warm", "cold"], default="warm",
                    help="warm: the current clusters are Lloyd iterations from the previous "
                         "centroids (a refit's warm start), with the planted change made to the "
                         "starting centroids; cold: an independent fit of the current resample")
    ap.add_argument("--new-theme", default="auto", help="the previous model's new_theme option")
    ap.add_argument("--k", type=int, default=0, help="clusters (default: number of topics)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    ap.add_argument("--similarities", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6, 0.7])
    ap.add_argument("--part-shares", type=float, nargs="+", default=[0.1, 0.15, 0.2, 0.25, 0.3])
    ap.add_argument("--voices", type=int, nargs="+", default=[5, 20])
    ap.add_argument("--part-similarities", type=float, nargs="+", default=[0, 0.3, 0.45, 0.6])
    ap.add_argument("--show", type=float, nargs=4, default=[0.5, 0.2, 5, 0.45])
    ap.add_argument("--json", help="also write the figures and counts here")
    run(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())
