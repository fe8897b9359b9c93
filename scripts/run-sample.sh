#!/usr/bin/env bash
# The main job on the bundled sample: install dependencies, build, cluster the sample voices.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
out=${1:-out/sample}
echo "== koe cluster data/sample/voices.csv -k auto -o $out" >&2
build/koe cluster data/sample/voices.csv -k auto --seed 1234 -o "$out"
