#!/usr/bin/env python3
"""Prints the programme views of one koe output folder in a few lines: who owns what, which
decisions are stuck, the three KPIs of the latest period and the follow-ups due.

    scripts/programme-summary.py OUTDIR

Reads OUTDIR/owners.csv, kpis.csv and followups.csv (docs/programme.md) with the standard
library only; a file that is missing is said so.
"""
import csv
import os
import sys


def rows(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        print(f"  {name}: not written")
        return None
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def owners(folder):
    table = rows(folder, "owners.csv")
    if table is None:
        return
    per_owner = {}
    for r in table:
        per_owner.setdefault(r["owner"], []).append(r)
    parts = [f"{o} {len(c)}" for o, c in per_owner.items()]
    print("  担当: " + "、".join(parts))
    for r in table:
        if r.get("stuck") in ("true", "yes", "1"):
            print(f"  停滞: #{r['cluster']} {r['label']} — {r['stage_summary']}（{r['owner']}）")


def kpis(folder):
    table = rows(folder, "kpis.csv")
    if not table:
        return
    periods = [r for r in table if r["period"] != "all"]
    latest = periods[-1] if periods else table[-1]

    def show(key, percent=False):
        v = latest.get(key, "")
        if v == "":
            return "データなし"
        return f"{100 * float(v):.1f}%" if percent else f"{float(v):.2f}"

    print(f"  指標（{latest['period']}）: 投稿者 {latest['contributors'] or 'データなし'}"
          f"（新規 {latest['new_contributors'] or '-'}、再訪 {latest['returning_contributors'] or '-'}）、"
          f"採用率 {show('voice_adoption_rate', True)}（声）・{show('cluster_adoption_rate', True)}"
          f"（まとまり）、満足度 {show('rating_mean')}"
          f"（採用に声が届いた人 {show('heard_mean')}、ほかの人 {show('other_mean')}）")


def followups(folder):
    table = rows(folder, "followups.csv")
    if table is None:
        return
    due = [r for r in table if r.get("due") in ("yes", "true", "1")]
    print(f"  連絡予定: {len(table)} 人（うち期限到来 {len(due)} 人）")
    for r in table[:3]:
        print(f"    {r['next_contact']} {r['contributor']} #{r['cluster']} {r['stage']}: {r['draft']}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    folder = sys.argv[1]
    owners(folder)
    kpis(folder)
    followups(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
