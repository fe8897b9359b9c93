#!/usr/bin/env bash
# Installs the Debian packages koe needs to build, test and benchmark.
# Skips the package manager entirely when everything is already present.
#
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --bench    also the Python peer used by the benchmarks
#   scripts/install-deps.sh --browser  also Chromium and a Japanese font, for the report screenshot
#   scripts/install-deps.sh --fuzz     also clang and its runtime, for libFuzzer and sanitizers
#   scripts/install-deps.sh --package  also the tools that build and check the Debian package
#   scripts/install-deps.sh --dictionaries
#                                      also the other MeCab dictionaries koe reads, for the
#                                      dictionary tests (scripts/test.sh asks for them)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libmecab-dev mecab mecab-utils mecab-ipadic-utf8
  libicu-dev libeigen3-dev libtbb-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libxxhash-dev
  libopenmpi-dev openmpi-bin
  python3 python3-dev pybind11-dev
  python3-numpy python3-scipy python3-sklearn python3-pandas python3-pytest
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(python3-mecab time) ;;
    --browser) packages+=(chromium fonts-ipafont-gothic) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --package) packages+=(dpkg-dev file lintian) ;;
    # About 1.1 GB to download and 5.4 GB installed, UniDic nearly all of it. Installing them
    # makes UniDic the system's default MeCab dictionary (Debian's alternatives, priority 110
    # against ipadic-utf8's 80); the tests then also show that koe still reads ipadic-utf8.
    --dictionaries) packages+=(unidic-mecab mecab-naist-jdic mecab-jumandic-utf8) ;;
    *) echo "install-deps.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps.sh: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
