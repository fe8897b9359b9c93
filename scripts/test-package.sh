#!/usr/bin/env bash
# Tests the Debian package the way a user meets it: builds koe_<version>_<arch>.deb
# (scripts/package.sh), installs it with apt-get, and from a folder outside the source tree runs
# `koe cluster` on the sample, builds and runs one program with pkg-config and one with
# find_package(koe), imports the Python module and fits a tiny corpus. Then purges the package
# and checks that nothing of it is left. Needs root (or sudo): it installs into the system.
#
#   scripts/test-package.sh              build the package, then test it
#   scripts/test-package.sh FILE.deb     test a package built before
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
"$source_dir/scripts/install-deps.sh" --package

deb=${1:-}
if [ -z "$deb" ]; then
  deb=$("$source_dir/scripts/package.sh" | tail -n 1)
fi
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
echo "test-package.sh: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --field "$deb"

if dpkg-query -W -f='${Status}' koe 2>/dev/null | grep -q 'install ok installed'; then
  echo "test-package.sh: koe is installed already; purge it first (apt-get purge koe)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/koe-package-test.XXXXXX)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -qq koe >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if command -v lintian >/dev/null; then
  echo "test-package.sh: lintian"
  # Errors fail the check; the warnings that remain are explained in docs/packaging.md.
  lintian --tag-display-limit 0 --fail-on error "$deb"
fi

DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$deb" >/dev/null
installed=1
cd "$work"

# The command, on the sample copied out of the tree.
cp "$source_dir/data/sample/voices.csv" "$work/voices.csv"
koe --version
man -w koe >/dev/null 2>&1 || test -f /usr/share/man/man1/koe.1.gz
test -f /usr/share/bash-completion/completions/koe
bash -c 'source /usr/share/bash-completion/completions/koe && complete -p koe' >/dev/null
koe cluster "$work/voices.csv" -k auto --seed 7 -o "$work/out" --quiet >/dev/null
test -f /usr/share/koe/owner-rules.toml
for f in clusters.json assignments.csv candidates.json trace.csv report.html model.koe \
  owners.csv manifest.json; do
  test -s "$work/out/$f" || { echo "test-package.sh: koe cluster wrote no $f" >&2; exit 1; }
done
koe verify "$work/out" >/dev/null
echo "test-package.sh: koe cluster wrote the output set, and koe verify accepts it"

# A program built with pkg-config.
cat >"$work/with_pkg_config.cpp" <<'CPP'
#include <koe/normalize.hpp>
#include <koe/options.hpp>
#include <iostream>
int main() {
  const std::string text = koe::normalize("ＡＰＰが落ちる！！！");
  std::cout << text << ' ' << koe::option_descriptors().size() << " options\n";
  return text == "appが落ちる!" ? 0 : 1;
}
CPP
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
c++ -std=c++20 "$work/with_pkg_config.cpp" -o "$work/with_pkg_config" $(pkg-config --cflags --libs koe)
"$work/with_pkg_config"

# A program built with CMake's find_package(koe).
mkdir -p "$work/consumer"
cp "$source_dir/tests/install/consumer/CMakeLists.txt" "$source_dir/tests/install/consumer/main.cpp" \
  "$work/consumer/"
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/consumer/build" >/dev/null
"$work/consumer/build/consumer"

# The Python module, with the system interpreter.
/usr/bin/python3 -c "import koe; print('koe', koe.__version__)"
/usr/bin/python3 - <<'PY'
import koe
voices = ["アプリが起動しない", "アプリが落ちる", "ログインできない", "ログインに失敗する",
          "支払いができない", "支払いが失敗する"] * 3
model = koe.Pipeline(k=2, min_df=1, seed=1).fit(voices)
assert len(model.labels_) == len(voices), model.labels_
print("python fit:", len(set(model.labels_.tolist())), "clusters")
PY
# The model koe cluster saved, read by the installed module.
/usr/bin/python3 -c "import koe, sys; m = koe.load(sys.argv[1]); print('python load:', m.k, 'clusters')" \
  "$work/out/model.koe"

# Purge, then nothing of the package may remain.
cd /
DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -qq koe >/dev/null
installed=0
left=0
if dpkg -L koe >/dev/null 2>&1; then echo "left: dpkg still lists koe" >&2; left=1; fi
for path in /usr/bin/koe /usr/lib/*/libkoe* /usr/lib/python3/dist-packages/koe /usr/include/koe \
  /usr/share/koe /usr/lib/*/cmake/koe /usr/lib/*/pkgconfig/koe.pc /usr/share/man/man1/koe.1.gz \
  /usr/share/bash-completion/completions/koe; do
  if [ -e "$path" ]; then echo "left: $path" >&2; left=1; fi
done
[ "$left" = 0 ] || exit 1
echo "test-package.sh: installed, used and purged cleanly"
