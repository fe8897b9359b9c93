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
    -DKOE_SANITIZE="$KOE_SANITIZE"
  (cd build-sanitize && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")
fi
