#!/usr/bin/env python3
"""Checks that the planted events of a corpus show in its voices per topic per month.

    check_events.py EVENTS_JSON CSV...

EVENTS_JSON is data/sample/year/events.json or what `koe-generate --events-out` writes; the CSV
files hold the voices (one file for the whole span or one per month), with a `topic` column and a
date column (`created_at`, YYYY-MM-DD...). Each event is checked against its `expected` block:

  born    the topics have no voice before the month and at least min_share_after from it on
  split   the parent has voices every month before and none from the month; each part has none
          before and at least min_share_after from it on
  merge   the topics have voices every month before and none from the month; `into` has none
          before and at least min_share_after from it on
  fade    mean share before the month within tolerance of share_before, after it within
          tolerance of share_after; with rating bounds, the mean star rating moves as stated
  return  voices before the absence, none in the absent months, voices again from the month
  burst   the month's share exceeds the median share of the other months by delta_pp
          (percentage points) within tolerance_pp

Prints the counts behind each check and exits 1 when any event does not show.
"""
import csv
import json
import statistics
import sys


def load(paths, months, topic_col, date_col):
    counts, totals, ratings = {}, [0] * len(months), {}
    index = {m: i for i, m in enumerate(months)}
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                month = row[date_col][:7]
                if month not in index:
                    raise SystemExit(f"{path}:{line}: {date_col} {row[date_col]!r} is outside "
                                     f"the months of the events file")
                i = index[month]
                totals[i] += 1
                topic = row[topic_col]
                counts.setdefault(topic, [0] * len(months))[i] += 1
                if row.get("rating"):
                    ratings.setdefault(topic, [[] for _ in months])[i].append(int(row["rating"]))
    return counts, totals, ratings


class Checker:
    def __init__(self, months, counts, totals, ratings):
        self.months, self.counts, self.totals, self.ratings = months, counts, totals, ratings
        self.problems = []

    def c(self, topic):
        return self.counts.get(topic, [0] * len(self.months))

    def share(self, topic, i):
        return self.c(topic)[i] / self.totals[i] if self.totals[i] else 0.0

    def fail(self, ev, what):
        self.problems.append(f"{ev['kind']} {'+'.join(ev['topics'])} @{ev['month']}: {what}")

    def absent(self, ev, topic, months):
        for i in months:
            if self.c(topic)[i]:
                self.fail(ev, f"{topic} has {self.c(topic)[i]} voices in {self.months[i]}")

    def present(self, ev, topic, months, min_share=0.0):
        for i in months:
            if not self.c(topic)[i] or self.share(topic, i) < min_share:
                self.fail(ev, f"{topic} has {self.c(topic)[i]} of {self.totals[i]} voices in "
                              f"{self.months[i]} (least share {min_share})")

    def check(self, ev):
        m = self.months.index(ev["month"])
        x = ev.get("expected", {})
        before, after = range(0, m), range(m, len(self.months))
        kind = ev["kind"]
        least = x.get("min_share_after", 0.0)
        if kind == "born":
            for t in ev["topics"]:
                self.absent(ev, t, before)
                self.present(ev, t, after, least)
        elif kind == "split":
            self.present(ev, ev["parent"], before)
            self.absent(ev, ev["parent"], after)
            for t in ev["topics"]:
                self.absent(ev, t, before)
                self.present(ev, t, after, least)
        elif kind == "merge":
            for t in ev["topics"]:
                self.present(ev, t, before)
                self.absent(ev, t, after)
            self.absent(ev, ev["into"], before)
            self.present(ev, ev["into"], after, least)
        elif kind == "fade":
            self.fade(ev, m, x)
        elif kind == "return":
            a, b = (self.months.index(s) for s in ev["absent"])
            if b + 1 != m:
                self.fail(ev, f"the month is not the one after the absence ({ev['absent'][1]})")
            for t in ev["topics"]:
                self.present(ev, t, range(0, a))
                self.absent(ev, t, range(a, b + 1))
                self.present(ev, t, [m])
        elif kind == "burst":
            for t in ev["topics"]:
                others = [self.share(t, i) for i in range(len(self.months)) if i != m]
                delta = 100 * (self.share(t, m) - statistics.median(others))
                if abs(delta - x["delta_pp"]) > x["tolerance_pp"]:
                    self.fail(ev, f"{t} rises {delta:.2f}pp, not {x['delta_pp']}pp "
                                  f"± {x['tolerance_pp']}")
        else:
            self.fail(ev, f"unknown kind {kind!r}")

    def fade(self, ev, m, x):
        for t in ev["topics"]:
            pre = [self.share(t, i) for i in range(0, m)]
            post = [self.share(t, i) for i in range(m + 1, len(self.months))] or [self.share(t, m)]
            for name, got, want in (("before", statistics.mean(pre), x["share_before"]),
                                    ("after", statistics.mean(post), x["share_after"])):
                if abs(got - want) > x["tolerance"]:
                    self.fail(ev, f"{t} share {name} is {got:.3f}, not {want} ± {x['tolerance']}")
            if "rating_before_max" in x:
                r = self.ratings.get(t, [[] for _ in self.months])
                pre_r = [v for i in range(0, m) for v in r[i]]
                post_r = [v for i in range(m + 1, len(self.months)) for v in r[i]]
                if not pre_r or statistics.mean(pre_r) > x["rating_before_max"]:
                    self.fail(ev, f"{t} mean rating before is not at most {x['rating_before_max']}")
                if not post_r or statistics.mean(post_r) < x["rating_after_min"]:
                    self.fail(ev, f"{t} mean rating after is not at least {x['rating_after_min']}")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    months = spec["months"]
    counts, totals, ratings = load(sys.argv[2:], months, spec.get("topic_column", "topic"),
                                   spec.get("date_column", "created_at"))
    checker = Checker(months, counts, totals, ratings)
    for ev in spec["events"]:
        checker.check(ev)
        shown = list(ev["topics"]) + [ev[k] for k in ("parent", "into") if k in ev]
        for t in shown:
            print(f"{ev['kind']:>6} {t:<22} " + " ".join(f"{n:4d}" for n in checker.c(t)))
    print(f"{'':>6} {'(all voices)':<22} " + " ".join(f"{n:4d}" for n in totals))
    for p in checker.problems:
        print(f"check_events: {p}", file=sys.stderr)
    if checker.problems:
        return 1
    print(f"check_events: {len(spec['events'])} events show in the monthly counts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
