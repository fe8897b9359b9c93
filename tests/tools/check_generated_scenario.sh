#!/usr/bin/env bash
# koe-generate month by month, end to end: the same seed writes the same files twice, the month
# files together are the whole corpus, every planted event shows in the monthly counts
# (check_events.py on --events-out), and a bad events spec exits 2 naming the bad event.
#
# usage: tests/tools/check_generated_scenario.sh KOE_GENERATE PYTHON
set -euo pipefail
gen=$1
py=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
spec=born:T3@6,fade:T1@9,split:T2@7,merge:T4+T5@8,burst:T6@11:0.02,return:T7@4-8
for run in 1 2; do
  "$gen" --voices 36000 --months 12 --start 2026-01 --seed 3 --events "$spec" -o "all$run.csv" \
    --split-months "m$run" --events-out "events$run.json"
done
cmp all1.csv all2.csv
cmp events1.json events2.json
[ "$(ls m1 | wc -l)" -eq 12 ] || { echo "expected 12 month files in m1" >&2; exit 1; }
for f in m1/*.csv; do cmp "$f" "m2/${f#m1/}"; done
(head -n 1 m1/2026-01.csv && for f in m1/*.csv; do tail -n +2 "$f"; done) | cmp - all1.csv
"$py" "$here/check_events.py" events1.json all1.csv
"$py" "$here/check_events.py" events1.json m1/*.csv >/dev/null
if "$gen" --voices 10 --months 12 --events born:T3@6,oops@2 -o bad.csv 2>err.txt; then
  echo "a bad events spec was accepted" >&2
  exit 1
fi
grep -q "bad event 'oops@2'" err.txt || { cat err.txt >&2; exit 1; }
echo "check_generated_scenario: deterministic, split files agree, every event shows"
