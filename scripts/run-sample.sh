#!/usr/bin/env bash
# The main job on the bundled samples: install dependencies, build, cluster the sample voices,
# then follow the year-long sample (data/sample/year) as a programme would: the whole year with
# its monthly trends and the effect of the dated decision, and a refit each quarter against the
# previous quarter's model (stable cluster ids, changes.json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
out=${1:-out/sample}
echo "== koe cluster data/sample/voices.csv -k auto -o $out" >&2
build/koe cluster data/sample/voices.csv -k auto --seed 1234 -o "$out"

year=$out/year
mkdir -p "$year"
# concat FILE...: the voice files as one, with the header once.
concat() {
  head -n 1 "$1"
  for f in "$@"; do tail -n +2 "$f"; done
}
concat data/sample/year/2026-*.csv >"$year/voices.csv"
# The programme around it: the decisions ledger (stages with dates) and the contact log give
# owners.csv, kpis.csv and followups.csv, and report.html's first screen (docs/programme.md).
echo "== koe cluster $year/voices.csv --period month --decisions data/sample/year/decisions.csv" \
  "--contacts data/sample/year/contacts.csv -o $year/all" >&2
build/koe cluster "$year/voices.csv" -k auto --seed 1234 --period month \
  --decisions data/sample/year/decisions.csv --contacts data/sample/year/contacts.csv \
  -q -o "$year/all" >/dev/null
grep -o '"sentence": "[^"]*"' "$year/all/candidates.json" | sed 's/"sentence": /  効果: /' >&2 || true
/usr/bin/python3 scripts/programme-summary.py "$year/all" >&2

# A month of this sample is under 200 voices, too few for clusters to hold still from one month
# to the next; a quarter (about 500) is what the refits below compare.
prev=()
for q in 1 2 3 4; do
  months=()
  for m in 1 2 3; do months+=("data/sample/year/2026-$(printf %02d $(((q - 1) * 3 + m))).csv"); done
  concat "${months[@]}" >"$year/2026-Q$q.csv"
  echo "== koe cluster $year/2026-Q$q.csv ${prev[*]} -o $year/Q$q" >&2
  build/koe cluster "$year/2026-Q$q.csv" -k auto --seed 1234 \
    "${prev[@]}" -q -o "$year/Q$q" >/dev/null
  prev=(--prev "$year/Q$q/model.koe")
done
for q in 2 3 4; do
  echo "  2026-Q$q: $(tr -d ' \n' <"$year/Q$q/changes.json" | grep -o '"counts":{[^}]*}')" >&2
done
echo "== koe trend $year/Q{1,2,3,4}/model.koe -o $year/trend" >&2
build/koe trend "$year"/Q{1,2,3,4}/model.koe -o "$year/trend" >/dev/null
echo "== the year: $year/all/report.html; quarter by quarter: $year/Q*/changes.json and" \
  "report.html; across the quarters by cluster id: $year/trend/trend.html" >&2
