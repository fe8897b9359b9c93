#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) and runs each for a bounded time.
#
#   scripts/fuzz.sh [seconds-per-target] [target ...]    default: 60 s, every target
#   KOE_FUZZ_JOBS=2 scripts/fuzz.sh 600                  two targets at a time
#
# Needs clang and libclang-rt-14-dev (scripts/install-deps.sh --fuzz), plus koe's own build
# dependencies. The library sources are compiled directly, not through CMake, so that only they
# and the targets carry the fuzzer instrumentation. Seeds come from tests/bad_inputs and
# fuzz/seeds; the corpus grows in build-fuzz/corpus/TARGET; a crash leaves its input in
# build-fuzz/artifacts/TARGET/ and the log in build-fuzz/logs/TARGET.log. Turn every crash into a
# test in tests/hardening_test.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all_targets=(fuzz_read fuzz_encoding fuzz_normalize fuzz_tokenize fuzz_model)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
jobs=${KOE_FUZZ_JOBS:-1}
cxx=${CXX_FUZZ:-clang++}
out=build-fuzz

command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Wpedantic
       -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -Iinclude -Isrc $(pkg-config --cflags eigen3) -DEIGEN_DONT_PARALLELIZE
       -DKOE_SOURCE_DATA_DIR="\"$PWD/data\"" -DKOE_INSTALL_DATA_DIR="\"/usr/local/share/koe\"")
libs=(-lmecab -ltbb $(pkg-config --libs icu-uc icu-i18n libxxhash))
mkdir -p "$out/obj" "$out/logs"

# compile OUTPUT SOURCE [EXTRA FLAGS...]: rebuilds when the source, a header or this script
# (its flags) is newer than the object.
compile() {
  local obj=$1 src=$2
  shift 2
  if [ -f "$obj" ] && [ -z "$(find "$src" include src/detail fuzz/*.hpp "$0" -newer "$obj" | head -1)" ]; then
    return
  fi
  echo "fuzz.sh: compiling $src${*:+ ($*)}" >&2
  "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link "$@" -c "$src" -o "$obj"
}

# Objects build two at a time; every target shares them. The ordinary reader gets 8 KiB chunks,
# more than -max_len, so each input is one chunk without paying for 1 MiB buffers per read.
pids=()
compile "$out/obj/io.o" src/io.cpp -DKOE_IO_CHUNK_BYTES=8192 & pids+=($!)
compile "$out/obj/io_small.o" src/io.cpp -Dkoe=koe_small -DKOE_IO_CHUNK_BYTES=5 -DKOE_IO_BLOCK_RECORDS=2 & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
pids=()
compile "$out/obj/io_encoding.o" src/io_encoding.cpp -DKOE_IO_CHUNK_BYTES=8192 & pids+=($!)
compile "$out/obj/io_encoding_small.o" src/io_encoding.cpp -Dkoe=koe_small -DKOE_IO_CHUNK_BYTES=5 & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
pids=()
compile "$out/obj/normalize.o" src/normalize.cpp & pids+=($!)
compile "$out/obj/tokenize.o" src/tokenize.cpp & pids+=($!)
compile "$out/obj/tokenize_layout.o" src/tokenize_layout.cpp & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
compile "$out/obj/terms.o" src/terms.cpp
pids=()
compile "$out/obj/types.o" src/types.cpp & pids+=($!)
compile "$out/obj/types_small.o" src/types.cpp -Dkoe=koe_small & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
pids=()
compile "$out/obj/text_column.o" src/text_column.cpp & pids+=($!)
compile "$out/obj/text_column_small.o" src/text_column.cpp -Dkoe=koe_small & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
pids=()
compile "$out/obj/model_file.o" src/model_file.cpp -DKOE_VERSION="\"fuzz\"" & pids+=($!)
compile "$out/obj/model_payload.o" src/model_payload.cpp & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
compile "$out/obj/read_summary.o" fuzz/read_summary.cpp
compile "$out/obj/read_summary_small.o" fuzz/read_summary.cpp -Dkoe=koe_small -DKOE_FUZZ_SMALL

link() {
  local target=$1
  shift
  echo "fuzz.sh: linking $target" >&2
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "fuzz/$target.cpp" "$@" "${libs[@]}" -o "$out/$target"
}
for t in "${targets[@]}"; do
  case "$t" in
    fuzz_read | fuzz_encoding)
      link "$t" "$out/obj/read_summary.o" "$out/obj/read_summary_small.o" "$out/obj/io.o" \
        "$out/obj/io_small.o" "$out/obj/io_encoding.o" "$out/obj/io_encoding_small.o" \
        "$out/obj/types.o" "$out/obj/types_small.o" \
        "$out/obj/text_column.o" "$out/obj/text_column_small.o" ;;
    fuzz_normalize) link "$t" "$out/obj/normalize.o" ;;
    fuzz_model) link "$t" "$out/obj/model_file.o" "$out/obj/model_payload.o" ;;
    fuzz_tokenize)
      link "$t" "$out/obj/normalize.o" "$out/obj/tokenize.o" "$out/obj/tokenize_layout.o" \
        "$out/obj/terms.o" "$out/obj/text_column.o" ;;
    *) echo "fuzz.sh: unknown target '$t' (${all_targets[*]})" >&2; exit 2 ;;
  esac
done

# run TARGET: fuzzes for $seconds, seeding from the checked-in corpora.
run() {
  local t=$1
  local corpus="$out/corpus/$t" artifacts="$out/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  local seeds=(tests/bad_inputs)
  [ -d "fuzz/seeds/$t" ] && seeds+=("fuzz/seeds/$t")
  # Leaks are off where MeCab and ICU run: they keep caches for the life of the process by
  # design. The model decoder uses neither, so its leaks are checked.
  local leaks=0
  [ "$t" = fuzz_model ] && leaks=1
  # A small quarantine and short allocation stacks: most of a run's time went to ASan's
  # bookkeeping of the many short strings each input makes.
  ASAN_OPTIONS=quarantine_size_mb=16:malloc_context_size=8:max_malloc_fill_size=0 \
    KOE_DATA_DIR="$PWD/data" "./$out/$t" -max_total_time="$seconds" -max_len=4096 -timeout=25 \
    -rss_limit_mb=4096 -detect_leaks=$leaks -print_final_stats=1 -artifact_prefix="$artifacts" \
    "$corpus" "${seeds[@]}" >"$out/logs/$t.log" 2>&1
}

status=0
running=0
for t in "${targets[@]}"; do
  echo "fuzz.sh: running $t for ${seconds}s" >&2
  run "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done

printf '%-16s %12s %10s %8s  %s\n' target executions exec/s corpus result
for t in "${targets[@]}"; do
  log="$out/logs/$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(find "$out/corpus/$t" -type f | wc -l)
  result=clean
  if grep -qE '^==[0-9]+==ERROR|^SUMMARY: |INVARIANT BROKEN|deadly signal' "$log"; then
    result="CRASH (see $log, $out/artifacts/$t/)"
    status=1
  fi
  printf '%-16s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$units" "$result"
done
exit "$status"
