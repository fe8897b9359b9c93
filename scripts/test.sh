#!/usr/bin/env bash
# Installs dependencies, builds and runs every test (GoogleTest through ctest, then pytest).
# KOE_SANITIZE=address,undefined (or thread) runs the suite again under that sanitizer.
#
# Nothing may drop out silently: the Python module and the koe executable must build, every
# listed suite must register tests and no test may skip without a listed reason
# (tests/tools/check_suites.py). KOE_TEST_WITHOUT_PYTHON=1 is the one explicit opt-out, for a
# developer machine without pybind11; it says so on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The dictionary tests read every Debian MeCab dictionary (tests/dictionary_test.cpp).
scripts/install-deps.sh --dictionaries
jobs=$(nproc 2>/dev/null || echo 2)
python_flags=(-DKOE_BUILD_PYTHON=ON -DKOE_REQUIRE_PYTHON=ON)
if [ "${KOE_TEST_WITHOUT_PYTHON:-0}" = 1 ]; then
  echo "test.sh: WARNING: KOE_TEST_WITHOUT_PYTHON=1, the Python module is neither built nor tested" >&2
  python_flags=(-DKOE_BUILD_PYTHON=OFF)
fi
scripts/build.sh -DKOE_BUILD_TESTS=ON -DKOE_BUILD_CLI=ON -DKOE_WERROR=ON "${python_flags[@]}"
(cd build && ctest --output-on-failure -j "$jobs" --output-junit ctest-junit.xml)
/usr/bin/python3 tests/tools/check_suites.py build build/ctest-junit.xml
if [ "${KOE_TEST_WITHOUT_PYTHON:-0}" != 1 ]; then
  if [ -z "$(ls build/bindings/python/koe/_koe*.so 2>/dev/null)" ]; then
    echo "test.sh: the Python module build/bindings/python/koe/_koe*.so was not built" >&2
    exit 1
  fi
  PYTHONPATH=build/bindings/python KOE_BUILD_DIR=build /usr/bin/python3 -m pytest -q tests/python
fi
if [ -n "${KOE_SANITIZE:-}" ]; then
  KOE_BUILD_DIR=build-sanitize KOE_BUILD_TYPE=RelWithDebInfo scripts/build.sh \
    -DKOE_BUILD_TESTS=ON -DKOE_BUILD_CLI=ON -DKOE_BUILD_PYTHON=OFF -DKOE_BUILD_BENCHMARKS=OFF \
    -DKOE_INSTALL=OFF -DKOE_SANITIZE="$KOE_SANITIZE"
  # The install test is left out: it links an uninstrumented consumer against the instrumented
  # libkoe.a. Debian's libtbb is not built for ThreadSanitizer: fuzz/tsan.supp says why and what
  # it silences. A sanitizer report exits 66, which no test expects of koe (it exits 0, 1 or 2),
  # so a report can never pass for an expected failure.
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=66"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:exitcode=66"
  export TSAN_OPTIONS="${TSAN_OPTIONS:-suppressions=$PWD/fuzz/tsan.supp history_size=7 halt_on_error=1} exitcode=66"
  (cd build-sanitize && ctest --output-on-failure -j "$jobs" --output-junit ctest-junit.xml)
  /usr/bin/python3 tests/tools/check_suites.py build-sanitize build-sanitize/ctest-junit.xml
fi
