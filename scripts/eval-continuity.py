#!/usr/bin/env python3
"""What a chain of quarterly refits on the year sample found: each quarter's lineage events, with
the planted topics (the sample's `topic` column, which koe never reads) of each event's cluster.

usage: /usr/bin/python3 scripts/eval-continuity.py out/sample/year
(after scripts/run-sample.sh, which writes out/sample/year/2026-Q*.csv and Q*/)."""
import csv, json, sys, collections
base=sys.argv[1]
for q in ["Q2","Q3","Q4"]:
    topic={r['id']:r['topic'] for r in csv.DictReader(open(f"{base}/2026-{q}.csv"))}
    comp=collections.defaultdict(collections.Counter)
    for r in csv.DictReader(open(f"{base}/{q}/assignments.csv")):
        comp[r['cluster']][topic.get(r['id'],'?')]+=1
    d=json.load(open(f"{base}/{q}/changes.json"))
    print(q, {k:v for k,v in d['counts'].items() if v})
    for e in d['events']:
        if e['kind']=='continued': continue
        c=comp.get(str(e['id']),collections.Counter())
        print(f"   {e['kind']:9} #{e['id']:<3} {e['label']:<22} p={e['parents']} c={e['children']} {e['share_before']:.3f}->{e['share_after']:.3f} topics={c.most_common(3)}")
