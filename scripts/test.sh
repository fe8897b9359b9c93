#!/usr/bin/env bash
# Installs dependencies, builds and runs every test (GoogleTest through ctest, then pytest).
# KOE_SANITIZE=address,undefined (or thread) runs the suite again under that sanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DKOE_BUILD_TESTS=ON -DKOE_WERROR=ON
(cd build && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")
if [ -d tests/python ] && [ -n "$(ls build/bindings/python/koe/_koe*.so 2>/dev/null)" ]; then
  PYTHONPATH=build/bindings/python KOE_BUILD_DIR=build /usr/bin/python3 -m pytest -q tests/python
fi
if [ -n "${KOE_SANITIZE:-}" ]; then
  KOE_BUILD_DIR=build-sanitize KOE_BUILD_TYPE=RelWithDebInfo scripts/build.sh \
    -DKOE_BUILD_TESTS=ON -DKOE_BUILD_PYTHON=OFF -DKOE_BUILD_BENCHMARKS=OFF \
    -DKOE_INSTALL=OFF -DKOE_SANITIZE="$KOE_SANITIZE"
  # The install test is left out: it links an uninstrumented consumer against the instrumented
  # libkoe.a. Debian's libtbb is not built for ThreadSanitizer: fuzz/tsan.supp says why and what
  # it silences.
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$PWD/fuzz/tsan.supp history_size=7 halt_on_error=1}
  (cd build-sanitize && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")
fi
