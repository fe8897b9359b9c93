#!/usr/bin/env bash
# Golden outputs: runs the koe executable on fixed inputs and compares every output file byte for
# byte with the copies checked in under tests/golden/expected/. A change that alters any byte
# fails here; when the change is wanted, rerun with KOE_GOLDEN_UPDATE=1 and commit the new files
# with a message that says why they changed.
#
# usage: tests/golden/run.sh KOE_EXECUTABLE
set -euo pipefail
koe=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# stdout.txt is what the command printed: the cluster table and the candidates table.
files=(clusters.json assignments.csv candidates.json trace.csv report.html stdout.txt)
failed=0

# case NAME THREADS INPUT ARGS...: one run, written to $work/NAME-tTHREADS, compared with
# expected/NAME (the same expectation for every thread count).
case_run() {
  local name=$1 threads=$2 input=$3
  shift 3
  local out="$work/$name-t$threads"
  # Inputs are named relative to the repository root, as the report shows the path it was given.
  (cd "$root" && "$koe" cluster "$input" --threads "$threads" -q -o "$out" "$@" >"$out.txt")
  mv "$out.txt" "$out/stdout.txt"
  local expected="$here/expected/$name"
  if [ -n "${KOE_GOLDEN_UPDATE:-}" ]; then
    mkdir -p "$expected"
    for f in "${files[@]}"; do cp "$out/$f" "$expected/$f"; done
    echo "golden: updated $name"
    return
  fi
  for f in "${files[@]}"; do
    if ! cmp -s "$out/$f" "$expected/$f"; then
      echo "golden: $name ($threads threads): $f differs from tests/golden/expected/$name/$f" >&2
      diff <(head -c 200000 "$expected/$f") <(head -c 200000 "$out/$f") | head -20 >&2 || true
      failed=1
    fi
  done
  [ -f "$out/rejects.csv" ] && { echo "golden: $name wrote rejects.csv" >&2; failed=1; }
  echo "golden: $name ($threads threads) compared"
}

for t in 1 2; do
  case_run sample "$t" data/sample/voices.csv -k auto --seed 1234 \
    --decisions tests/golden/decisions.csv
done
case_run generated 2 tests/golden/generated.csv -k 12 --seed 7
case_run generated-lsa 1 tests/golden/generated.csv -k 10 --seed 3 --reduce lsa:30 \
  --merge-factor 2 --min-similarity 0.05

if [ "$failed" -ne 0 ]; then
  echo "golden: outputs changed; see above" >&2
  exit 1
fi
echo "golden: every output file matches"
