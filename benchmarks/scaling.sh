#!/usr/bin/env bash
# Thread scaling of koe beside the MeCab floor. Generates one corpus, then for each thread count T
# times `koe cluster --threads T` and the floor (`mecab -Owakati` over the text column split into
# T files, T processes at once), R times each, and writes the medians to OUT/scaling.md and
# OUT/scaling.json (every single run to OUT/runs.tsv). Needs a built koe and koe-generate:
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DKOE_BUILD_BENCHMARKS=ON
#   cmake --build build-bench --target koe_cli koe_generate
#   benchmarks/scaling.sh                                   # 1M voices, T = 1 2 4 ... nproc
#   benchmarks/scaling.sh --voices 100000 --threads "1 4 16" --repeats 5
#   benchmarks/scaling.sh --help                            # every option
#
# Plain bash + awk; python3 (standard library) only extracts the text column from the CSV.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
usage: benchmarks/scaling.sh [options]
  --koe PATH        koe executable (default: $root/build-bench/koe)
  --generate PATH   koe-generate executable (default: $root/build-bench/benchmarks/koe-generate)
  --mecab PATH      mecab executable for the floor (default: mecab on PATH)
  --dicdir DIR      MeCab dictionary directory, given to mecab (-d) and koe (--dicdir)
  --voices N        corpus size (default 1000000)
  --threads "T..."  thread counts (default: 1 2 and powers of two up to nproc, and nproc)
  --repeats R       runs per measurement; medians are reported (default 3)
  -k K              clusters (default 30)
  --out DIR         where scaling.md, scaling.json and runs.tsv go (default: $root/build-bench/scaling)
  --work DIR        corpus, split text and koe's output directories (default: the --out DIR)
  --no-gnu-time     time with bash alone, as where /usr/bin/time is missing (peak RSS from koe --stats)
EOF
}

koe=$root/build-bench/koe
generate=$root/build-bench/benchmarks/koe-generate
mecab=mecab
dicdir=
voices=1000000
threads=
repeats=3
k=30
out=$root/build-bench/scaling
work=
args_given=$(printf ' %q' "$@")
use_gnu_time=1

while [ $# -gt 0 ]; do
  case "$1" in
    --koe) koe=$2; shift 2 ;;
    --generate) generate=$2; shift 2 ;;
    --mecab) mecab=$2; shift 2 ;;
    --dicdir) dicdir=$2; shift 2 ;;
    --voices) voices=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    -k) k=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-gnu-time) use_gnu_time=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "scaling.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
work=${work:-$out}

log() { echo "scaling: $*" >&2; }
die() { echo "scaling: error: $*" >&2; exit 1; }

nproc=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ -z "$threads" ]; then
  threads=1
  t=2
  while [ "$t" -le "$nproc" ]; do threads="$threads $t"; t=$((t * 2)); done
  case " $threads " in *" $nproc "*) ;; *) threads="$threads $nproc" ;; esac
fi
# Ascending and without duplicates, so the first count is the base of the speedups.
read -r -a thread_list <<<"$threads"
threads=$(printf '%s\n' "${thread_list[@]}" | sort -n -u | tr '\n' ' ')
threads=${threads% }
for t in $threads; do
  case "$t" in '' | *[!0-9]* | 0) die "--threads takes positive integers, got '$t'" ;; esac
done
case "$voices$repeats$k" in *[!0-9]*) die "--voices, --repeats and -k take integers" ;; esac

[ -x "$koe" ] || die "koe not found or not executable: $koe (build it, or pass --koe)"
[ -x "$generate" ] || die "koe-generate not found: $generate (build koe_generate, or pass --generate)"
command -v "$mecab" >/dev/null 2>&1 || die "mecab not found: $mecab (pass --mecab)"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to extract the text column"
mecab_dic=()
koe_dic=()
if [ -n "$dicdir" ]; then
  [ -d "$dicdir" ] || die "--dicdir $dicdir is not a directory"
  mecab_dic=(-d "$dicdir")
  koe_dic=(--dicdir "$dicdir")
elif [ -d /var/lib/mecab/dic/ipadic-utf8 ]; then
  # koe reads ipadic-utf8 by default; mecab's own default follows Debian's alternatives, which
  # installing unidic-mecab turns to UniDic. The floor reads what koe reads.
  mecab_dic=(-d /var/lib/mecab/dic/ipadic-utf8)
fi
# The koe binary remembers the data directory of the tree it was built in; a copied one does not.
if [ -z "${KOE_DATA_DIR:-}" ] && [ -d "$root/data" ]; then export KOE_DATA_DIR=$root/data; fi

mkdir -p "$out" "$work"

# GNU time gives the peak RSS of each koe run; without it, koe's own --stats report stands in.
gnu_time=
if [ "$use_gnu_time" = 1 ] && [ -x /usr/bin/time ] && /usr/bin/time -f "%e %M" -o "$work/.time-probe" true 2>/dev/null &&
    awk 'NF == 2 && $1 + 0 == $1 && $2 + 0 == $2 { ok = 1 } END { exit !ok }' "$work/.time-probe"; then
  gnu_time=/usr/bin/time
fi
rm -f "$work/.time-probe"

now() {
  if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Machine facts.
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
cpu_model=${cpu_model:-unknown}
mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576; exit }' /proc/meminfo 2>/dev/null || true)
mem_gib=${mem_gib:-unknown}
kernel=$(uname -sr 2>/dev/null || echo unknown)
koe_version=$("$koe" --version 2>&1 | head -n 1 || true)
mecab_version=$("$mecab" -v 2>&1 | head -n 1 || true)
date_now=$(date -u '+%Y-%m-%d %H:%M UTC')
if [ -n "$gnu_time" ]; then rss_source="GNU time %M (ru_maxrss)"; else rss_source="koe --stats"; fi

facts() {
  echo "- date: $date_now"
  echo "- CPU: $cpu_model; nproc = $nproc; memory $mem_gib GiB; $kernel"
  echo "- koe: $koe_version ($koe); MeCab: $mecab_version ($mecab${dicdir:+, dicdir $dicdir})"
  echo "- voices = $voices, k = $k, --n-init 1, seed = 1, threads = $threads, repeats = $repeats (medians)"
  echo "- peak RSS from: $rss_source"
}
facts >&2

# The corpus, generated once and reused while it is newer than the generator.
csv=$work/voices-$voices.csv
if [ ! -s "$csv" ] || [ "$generate" -nt "$csv" ]; then
  log "generating $voices voices -> $csv"
  t0=$(now)
  "$generate" --voices "$voices" --seed 1 -o "$csv.tmp"
  mv "$csv.tmp" "$csv"
  log "generated in $(elapsed "$t0" "$(now)") s"
fi

# The text column as plain lines, as benchmarks/e2e.py feeds the floor.
text=$work/voices-$voices.txt
if [ ! -s "$text" ] || [ "$csv" -nt "$text" ]; then
  python3 - "$csv" "$text.tmp" <<'EOF'
import csv
import sys

with open(sys.argv[1], newline="", encoding="utf-8") as f, \
        open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        out.write(row["text"] + "\n")
EOF
  mv "$text.tmp" "$text"
fi
lines=$(wc -l <"$text")

# `parts` files of nearly equal line counts: part i holds lines [n*i/parts, n*(i+1)/parts).
split_text() {
  local parts=$1 i stale=0
  for ((i = 0; i < parts; i++)); do
    if [ ! -f "$work/text.$parts.$i.txt" ] || [ "$text" -nt "$work/text.$parts.$i.txt" ]; then stale=1; fi
  done
  [ "$stale" = 1 ] || return 0
  awk -v n="$lines" -v parts="$parts" -v prefix="$work/text.$parts." '
    BEGIN { p = 0 }
    { j = NR - 1
      while (j >= int(n * (p + 1) / parts)) p++
      print > (prefix p ".txt") }' "$text"
  # A part with no lines is never written by awk; mecab needs the file all the same.
  for ((i = 0; i < parts; i++)); do touch "$work/text.$parts.$i.txt"; done
}

# Pages in the corpus and the dictionary, so that the first run does not pay for the disk.
sysdic=$("$mecab" "${mecab_dic[@]}" -D 2>/dev/null | awk '/^filename:/ { print $2; exit }' || true)
cat "$csv" "$text" ${sysdic:+"$sysdic"} >/dev/null

runs=$out/runs.tsv
printf 'tool\tthreads\trepeat\twall_s\tpeak_rss_mib\tload_before\tstages\n' >"$runs"
# The 1-minute load average before each run: a busy machine shows up beside the number it spoilt.
load() { awk '{ print $1 }' /proc/loadavg 2>/dev/null || echo; }

run_koe() {
  local t=$1 r=$2 dir=$work/out-$1 wall rss stages t0 load0
  mkdir -p "$dir"
  load0=$(load)
  local cmd=("$koe" cluster "$csv" -k "$k" --n-init 1 --seed 1 --threads "$t" --stats -q
             "${koe_dic[@]}" -o "$dir")
  t0=$(now)
  if [ -n "$gnu_time" ]; then
    "$gnu_time" -f "%e %M" -o "$dir/time.txt" "${cmd[@]}" >"$dir/stdout.txt" 2>"$dir/stderr.txt" ||
      { cat "$dir/stderr.txt" >&2; die "koe failed: ${cmd[*]}"; }
  else
    "${cmd[@]}" >"$dir/stdout.txt" 2>"$dir/stderr.txt" ||
      { cat "$dir/stderr.txt" >&2; die "koe failed: ${cmd[*]}"; }
  fi
  wall=$(elapsed "$t0" "$(now)")
  if [ -n "$gnu_time" ]; then
    # GNU time's own wall clock (0.01 s steps) leaves out the fork and exec of time itself.
    wall=$(awk 'END { print $1 }' "$dir/time.txt")
    rss=$(awk 'END { printf "%.0f", $2 / 1024 }' "$dir/time.txt")
  else
    rss=$(awk '/^koe: peak memory [0-9.]+ MiB/ { v = $4 } END { print (v == "" ? "" : v) }' \
      "$dir/stderr.txt")
  fi
  # Lines "koe: STAGE SECONDS s [(peak memory ...)]", as benchmarks/e2e.py reads them.
  stages=$(awk '$1 == "koe:" && $4 == "s" && $3 + 0 == $3 { printf "%s%s=%s", sep, $2, $3; sep = "," }' \
    "$dir/stderr.txt")
  printf 'koe\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$wall" "$rss" "$load0" "$stages" >>"$runs"
  log "T=$t repeat $r: koe $wall s, peak ${rss:-?} MiB (load before $load0)"
}

run_floor() {
  local t=$1 r=$2 i pid t0 wall load0 failed=0 pids=()
  split_text "$t"
  load0=$(load)
  t0=$(now)
  for ((i = 0; i < t; i++)); do
    "$mecab" "${mecab_dic[@]}" -Owakati "$work/text.$t.$i.txt" >/dev/null 2>"$work/floor.$i.err" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  wall=$(elapsed "$t0" "$(now)")
  if [ "$failed" = 1 ]; then cat "$work"/floor.*.err >&2; die "mecab failed"; fi
  printf 'floor\t%s\t%s\t%s\t\t%s\t\n' "$t" "$r" "$wall" "$load0" >>"$runs"
  log "T=$t repeat $r: floor $wall s (load before $load0)"
}

for t in $threads; do
  for ((r = 1; r <= repeats; r++)); do
    run_koe "$t" "$r"
    run_floor "$t" "$r"
  done
done

# Medians per thread count: one line "T koe floor rss stage=s,..." per T, stages in first-seen order.
medians=$(awk -F'\t' '
  function median(list,   v, n, i, j, x) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] + 0 > x + 0; j--) v[j + 1] = v[j]; v[j + 1] = x }
    if (n == 0) return ""
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  NR == 1 { next }
  { if (!($2 in seen)) { seen[$2] = 1; order[++nt] = $2 } }
  $1 == "koe" {
    koe[$2] = koe[$2] " " $4
    if ($5 != "") rss[$2] = rss[$2] " " $5
    ns = split($7, st, ",")
    for (i = 1; i <= ns; i++) {
      split(st[i], kv, "=")
      if (!(kv[1] in sseen)) { sseen[kv[1]] = 1; sorder[++nstage] = kv[1] }
      stage[$2, kv[1]] = stage[$2, kv[1]] " " kv[2]
    }
  }
  $1 == "floor" { floor[$2] = floor[$2] " " $4 }
  END {
    for (a = 1; a <= nt; a++) {
      t = order[a]
      line = t " " median(koe[t]) " " median(floor[t]) " " (median(rss[t]) == "" ? "-" : median(rss[t])) " "
      sep = ""
      for (s = 1; s <= nstage; s++) { line = line sep sorder[s] "=" median(stage[t, sorder[s]]); sep = "," }
      print line
    }
  }' "$runs")

stage_names=$(echo "$medians" | awk 'NR == 1 { n = split($5, st, ","); for (i = 1; i <= n; i++) { split(st[i], kv, "="); printf "%s ", kv[1] } }')
base_t=$(echo "$medians" | awk 'NR == 1 { print $1 }')

table() {
  local head="| threads | koe s | floor s | koe/floor | koe speedup vs $base_t | floor speedup vs $base_t | koe peak RSS MiB |"
  local rule="|---|---|---|---|---|---|---|"
  local s
  for s in $stage_names; do head="$head $s s |"; rule="$rule---|"; done
  echo "$head"
  echo "$rule"
  echo "$medians" | awk '
    NR == 1 { k1 = $2; f1 = $3 }
    { line = sprintf("| %d | %.2f | %.2f | %.2fx | %.2fx | %.2fx | %s |", $1, $2, $3,
                     $3 > 0 ? $2 / $3 : 0, $2 > 0 ? k1 / $2 : 0, $3 > 0 ? f1 / $3 : 0,
                     $4 == "-" ? "-" : sprintf("%.0f", $4))
      n = split($5, st, ",")
      for (i = 1; i <= n; i++) { split(st[i], kv, "="); line = line sprintf(" %.3f |", kv[2]) }
      print line }'
}

{
  echo "# koe thread scaling"
  echo
  echo "Written by \`benchmarks/scaling.sh$args_given\`."
  echo
  facts
  echo
  echo "Wall time of each run, median of $repeats. koe = \`koe cluster voices.csv -k $k --n-init 1"
  echo "--seed 1 --threads T --stats -q\`, process start to exit; floor = \`mecab -Owakati\` over the"
  echo "text column split into T files, T processes at once, until the last exits. Speedups are"
  echo "against T = $base_t; stage columns are koe's own \`--stats\` times (medians). Every run, with the"
  echo "1-minute load average before it: \`runs.tsv\`."
  echo
  table
} >"$out/scaling.md"

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
{
  echo "{"
  echo "  \"date\": $(json_str "$date_now"),"
  echo "  \"machine\": {\"nproc\": $nproc, \"cpu\": $(json_str "$cpu_model"), \"memory_gib\": $(json_str "$mem_gib"), \"kernel\": $(json_str "$kernel")},"
  echo "  \"koe\": $(json_str "$koe_version"), \"mecab\": $(json_str "$mecab_version"), \"dicdir\": $(json_str "$dicdir"),"
  echo "  \"voices\": $voices, \"k\": $k, \"repeats\": $repeats, \"peak_rss_source\": $(json_str "$rss_source"),"
  echo "  \"medians\": ["
  echo "$medians" | awk -v q='"' '
    NR == 1 { k1 = $2; f1 = $3 }
    { if (NR > 1) print ","
      kf = ($3 > 0 ? $2 / $3 : 0); ks = ($2 > 0 ? k1 / $2 : 0); fs = ($3 > 0 ? f1 / $3 : 0)
      rss = ($4 == "-" ? "null" : $4)
      printf("    {%sthreads%s: %d, %skoe_s%s: %s, %sfloor_s%s: %s, %skoe_over_floor%s: %.4f, ",
             q, q, $1, q, q, $2, q, q, $3, q, q, kf)
      printf("%skoe_speedup%s: %.4f, %sfloor_speedup%s: %.4f, %skoe_peak_rss_mib%s: %s, %sstages_s%s: {",
             q, q, ks, q, q, fs, q, q, rss, q, q)
      n = split($5, st, ",")
      for (i = 1; i <= n; i++) { split(st[i], kv, "="); printf "%s%s%s%s: %s", (i > 1 ? ", " : ""), q, kv[1], q, kv[2] }
      printf "}}" }
    END { print "" }'
  echo "  ],"
  echo "  \"runs\": ["
  awk -F'\t' -v q='"' 'NR > 1 {
      if (NR > 2) print ","
      printf "    {%stool%s: %s%s%s, %sthreads%s: %s, %srepeat%s: %s, %swall_s%s: %s, %speak_rss_mib%s: %s, %sload_before%s: %s}", q, q, q, $1, q, q, q, $2, q, q, $3, q, q, $4, q, q, ($5 == "" ? "null" : $5), q, q, ($6 == "" ? "null" : $6) }
    END { print "" }' "$runs"
  echo "  ]"
  echo "}"
} >"$out/scaling.json"

echo
cat "$out/scaling.md"
