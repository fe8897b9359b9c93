#!/usr/bin/env bash
# End-to-end benchmark, one command: builds koe (Release) with the benchmarks into build-bench/,
# generates 100k and 1M voices (10M with --large) of the default and the hard corpus, times the
# MeCab floor, koe and both Python peers (peer.py, lean.py) side by side, and writes
# benchmarks/RESULTS.md with every target as a ratio.
#
#   benchmarks/run.sh                      # 100k + 1M voices, both corpora and peers, 3 repeats
#   benchmarks/run.sh --large              # also 10M voices (koe and the floor; ~1.2 GB of CSV)
#   benchmarks/run.sh --threads 2 --repeats 5 --sizes 100000
#   benchmarks/run.sh --voices 100000 --corpora hard --peers lean --repeats 1   # a quick look
#   benchmarks/run.sh --help               # every option (they go to benchmarks/e2e.py)
#
# Environment: KOE_BENCH_BUILD_DIR (default build-bench), KOE_BENCH_SKIP_BUILD=1 to reuse a build.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${KOE_BENCH_BUILD_DIR:-build-bench}
python=/usr/bin/python3

skip_build=${KOE_BENCH_SKIP_BUILD:-0}
render=0
for arg in "$@"; do
  case "$arg" in
    -h | --help) exec "$python" benchmarks/e2e.py --build-dir "$build_dir" --help ;;
    --render | --render=*) render=1 ;;  # rewriting RESULTS.md builds and measures nothing
  esac
done

missing=()
command -v cmake >/dev/null 2>&1 || missing+=("cmake")
command -v mecab >/dev/null 2>&1 || missing+=("mecab (the floor)")
[ -x "$python" ] || missing+=("$python")
if [ -x "$python" ]; then
  "$python" -c 'import MeCab' 2>/dev/null || missing+=("python3-mecab (the peers)")
  "$python" -c 'import sklearn' 2>/dev/null || missing+=("python3-sklearn (the peers, NMI)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: missing: ${missing[*]}" >&2
  echo "run.sh: install them with: scripts/install-deps.sh --bench" >&2
  exit 1
fi

if [ "$render" = "1" ]; then
  exec "$python" benchmarks/e2e.py --build-dir "$build_dir" "$@"
fi

if [ "$skip_build" != "1" ]; then
  echo "run.sh: building koe (Release) with benchmarks in $build_dir/" >&2
  mkdir -p "$build_dir"
  if ! cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE="$python" \
      -DKOE_BUILD_BENCHMARKS=ON >"$build_dir/configure.log" 2>&1; then
    cat "$build_dir/configure.log" >&2
    echo "run.sh: cmake configure failed (log above: $build_dir/configure.log)" >&2
    exit 1
  fi
  jobs=$(nproc 2>/dev/null || echo 2)
  cmake --build "$build_dir" -j "$jobs" --target koe_cli koe_generate
  # The per-iteration k-means timing needs Google Benchmark; without it e2e.py skips that column.
  cmake --build "$build_dir" -j "$jobs" --target koe_bench_cluster ||
    echo "run.sh: koe_bench_cluster not built; the k-means per-iteration column stays empty" >&2
fi
for exe in "$build_dir/koe" "$build_dir/benchmarks/koe-generate"; do
  [ -x "$exe" ] || { echo "run.sh: $exe was not built" >&2; exit 1; }
done

exec "$python" benchmarks/e2e.py --build-dir "$build_dir" "$@"
