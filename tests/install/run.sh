#!/usr/bin/env bash
# Installs the built koe into a temporary prefix, then configures, builds and runs a consumer
# project that uses find_package(koe) and links koe::koe.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
# The bundled data default_score_options() reads must be installed with the library.
for f in stopwords-ja.txt severity-ja.txt difficulty-rules.toml owner-rules.toml; do
  test -f "$work/prefix/share/koe/$f" || { echo "install: share/koe/$f is missing" >&2; exit 1; }
done
cmake -S "$source_dir/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
KOE_DATA_DIR="$work/prefix/share/koe" "$work/build/consumer"
