#!/usr/bin/env bash
# The deep checks, too slow for every commit: the suite under ASan+UBSan and under TSan, every
# fuzz target for a few minutes, and a smoke run of the end-to-end benchmark. Run it before a
# release and after touching src/detail, the reader (src/io*.cpp) or k-means (src/cluster*.cpp).
#
#   scripts/check-deep.sh                   every step, 180 s per fuzz target
#   scripts/check-deep.sh 600               600 s per fuzz target
#   KOE_DEEP_STEPS="asan fuzz" scripts/check-deep.sh 60     only those steps
#
# Each step logs to build-deep/STEP.log; one table at the end says how each went. Exits 1 when
# any step failed. Needs clang and libclang-rt-14-dev for the fuzzers and mecab, python3-mecab
# and python3-sklearn for the benchmark (scripts/install-deps.sh --fuzz --bench).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD

fuzz_seconds=${1:-180}
read -r -a steps <<<"${KOE_DEEP_STEPS:-asan tsan fuzz bench}"
logs=build-deep
mkdir -p "$logs"
jobs=$(nproc 2>/dev/null || echo 2)

# sanitized BUILD_DIR SANITIZERS: the GoogleTest suite built and run under the sanitizers, as
# scripts/test.sh does with KOE_SANITIZE; a sanitizer report exits 66, which no test expects.
sanitized() {
  local dir=$1 sanitize=$2
  KOE_BUILD_DIR=$dir KOE_BUILD_TYPE=RelWithDebInfo scripts/build.sh \
    -DKOE_BUILD_TESTS=ON -DKOE_BUILD_CLI=ON -DKOE_BUILD_PYTHON=OFF -DKOE_BUILD_BENCHMARKS=OFF \
    -DKOE_INSTALL=OFF -DKOE_SANITIZE="$sanitize" || return 1
  (
    cd "$dir" &&
      ASAN_OPTIONS=exitcode=66 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=66 \
      TSAN_OPTIONS="suppressions=$root/fuzz/tsan.supp history_size=7 halt_on_error=1 exitcode=66" \
      ctest --output-on-failure -j "$jobs" --output-junit ctest-junit.xml
  ) || return 1
  /usr/bin/python3 tests/tools/check_suites.py "$dir" "$dir/ctest-junit.xml"
}

# The benchmark on 20,000 voices, once, without the Python peer: does it still build and run.
bench_smoke() {
  benchmarks/run.sh --sizes 20000 --repeats 1 --no-peer --no-single -k 12 \
    --out "$logs/bench-results.md"
}

run_step() {
  case "$1" in
    asan) sanitized build-asan address,undefined ;;
    tsan) sanitized build-tsan thread ;;
    fuzz) scripts/fuzz.sh "$fuzz_seconds" ;;
    bench) bench_smoke ;;
    *) echo "check-deep.sh: unknown step '$1' (asan tsan fuzz bench)" >&2; return 2 ;;
  esac
}

declare -A result seconds
status=0
for step in "${steps[@]}"; do
  echo "check-deep.sh: $step (log: $logs/$step.log)" >&2
  start=$SECONDS
  if run_step "$step" >"$logs/$step.log" 2>&1; then
    result[$step]=passed
  else
    result[$step]=FAILED
    status=1
  fi
  seconds[$step]=$((SECONDS - start))
done

printf '%-8s %-8s %9s  %s\n' step result seconds log
for step in "${steps[@]}"; do
  printf '%-8s %-8s %9s  %s\n' "$step" "${result[$step]}" "${seconds[$step]}" "$logs/$step.log"
done
if [ "${result[fuzz]:-}" != "" ]; then
  echo
  sed -n '/^target /,$p' "$logs/fuzz.log"
fi
exit "$status"
