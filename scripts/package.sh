#!/usr/bin/env bash
# Builds the Debian package: a Release build of the shared libkoe, the koe command and the Python
# module for prefix /usr in ${KOE_PACKAGE_DIR:-build-package}, then `cpack -G DEB` there.
# Prints the path of koe_<version>_<arch>.deb. Extra arguments go to cmake.
#
#   scripts/install-deps.sh --package && scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${KOE_PACKAGE_DIR:-build-package}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
  -DCMAKE_INSTALL_PREFIX=/usr -DKOE_INSTALL=ON -DKOE_BUILD_CLI=ON -DKOE_BUILD_PYTHON=ON \
  -DKOE_BUILD_BENCHMARKS=OFF -DKOE_BUILD_MPI=OFF -DPython3_EXECUTABLE=/usr/bin/python3 "$@" \
  >"$build_dir.configure.log" 2>&1 || { cat "$build_dir.configure.log" >&2; exit 1; }
cmake --build "$build_dir" -j "$jobs" >&2
(cd "$build_dir" && rm -f ./*.deb && cpack -G DEB >&2)
ls "$PWD/$build_dir"/koe_*.deb
