#!/usr/bin/env bash
# koe-mpi beside koe on one machine: the same corpus, clustered by 1 process with T threads and by
# P ranks of T threads (`mpirun --bind-to none -n P koe-mpi ... --threads T`), R times each,
# alternating. Reports the median wall time, each rank's peak memory, the seconds rank 0 and the
# others spent handing blocks over, the overhead of ranks against threads, and checks that every
# configuration wrote the same assignments, candidates, trace and model. Writes OUT/mpi.md and
# OUT/runs.tsv.
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DKOE_BUILD_BENCHMARKS=ON
#   cmake --build build-bench --target koe_cli koe_mpi koe_generate
#   benchmarks/mpi.sh                                     # 1M voices: 1x1, 1x2, 2x1
#   benchmarks/mpi.sh --configs "1x16 4x4 16x1" --repeats 3   # a 16-core machine
#   benchmarks/mpi.sh --help
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
usage: benchmarks/mpi.sh [options]
  --build DIR       where koe, koe-mpi and benchmarks/koe-generate are (default: $root/build-bench)
  --voices N        corpus size (default 1000000)
  --profile P       koe-generate profile: default or hard (default: default)
  --configs "PxT.." ranks x threads per rank; 1xT runs koe itself (default: "1x1 1x2 2x1")
  --repeats R       runs per configuration, alternating; medians are reported (default 3)
  -k K              clusters (default 30)
  --out DIR         where mpi.md and runs.tsv go, and the corpus (default: BUILD/mpi)
EOF
}

build=$root/build-bench
voices=1000000
profile=default
configs="1x1 1x2 2x1"
repeats=3
k=30
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --voices) voices=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    -k) k=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "mpi.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
out=${out:-$build/mpi}
die() { echo "mpi.sh: error: $*" >&2; exit 1; }
log() { echo "mpi.sh: $*" >&2; }

koe=$build/koe
koe_mpi=$build/koe-mpi
generate=$build/benchmarks/koe-generate
[ -x "$koe" ] || die "no koe in $build (build koe_cli, or pass --build)"
[ -x "$koe_mpi" ] || die "no koe-mpi in $build (install libopenmpi-dev, build koe_mpi)"
[ -x "$generate" ] || die "no koe-generate in $build (build koe_generate)"
command -v mpirun >/dev/null || die "mpirun not found (openmpi-bin)"
case "$voices$repeats$k" in *[!0-9]*) die "--voices, --repeats and -k take integers" ;; esac
for c in $configs; do
  [[ "$c" =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || die "a configuration is RANKSxTHREADS, got '$c'"
done
if [ -z "${KOE_DATA_DIR:-}" ] && [ -d "$root/data" ]; then export KOE_DATA_DIR=$root/data; fi
# Open MPI refuses root unless told, and wants ssh even on one machine unless told otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
command -v ssh >/dev/null || export OMPI_MCA_plm_rsh_agent=false

mkdir -p "$out"
csv=$out/voices-$profile-$voices.csv
if [ ! -s "$csv" ] || [ "$generate" -nt "$csv" ]; then
  log "generating $voices voices ($profile) -> $csv"
  "$generate" --voices "$voices" --seed 1 --profile "$profile" -o "$csv.tmp"
  mv "$csv.tmp" "$csv"
fi
cat "$csv" >/dev/null

now() { echo "${EPOCHREALTIME/,/.}"; }
runs=$out/runs.tsv
printf 'config\trepeat\twall_s\trank0_mib\tother_mib\trank0_wait_s\tother_wait_s\tblocks_mib\n' >"$runs"

# One run of configuration PxT; appends a line to runs.tsv.
run_config() {
  local c=$1 r=$2 ranks=${1%x*} threads=${1#*x} dir=$out/out-$1 t0 wall
  rm -rf "$dir"
  local cmd=(cluster "$csv" -k "$k" --n-init 1 --seed 1 --threads "$threads" --stats -q -o "$dir")
  t0=$(now)
  if [ "$ranks" = 1 ]; then
    "$koe" "${cmd[@]}" >"$out/stdout.txt" 2>"$out/stderr-$c.txt" || die "koe failed ($c)"
  else
    mpirun --bind-to none --oversubscribe -n "$ranks" "$koe_mpi" "${cmd[@]}" \
      >"$out/stdout.txt" 2>"$out/stderr-$c.txt" || die "koe-mpi failed ($c): see $out/stderr-$c.txt"
  fi
  wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
  # koe: "koe: peak memory N MiB"; each rank of koe-mpi: "koe-mpi: rank R ... in S s ...; peak
  # memory N MiB".
  awk -v c="$c" -v r="$r" -v wall="$wall" '
    /^koe: peak memory/ { rank0 = $4 }
    /^koe-mpi: rank 0 / { for (i = 1; i <= NF; i++) { if ($i == "in") w0 = $(i + 1); if ($i == "blocks") mib = substr($(i + 1), 2) } }
    /^koe-mpi: rank [1-9]/ { for (i = 1; i <= NF; i++) { if ($i == "in" && $(i + 1) > wo) wo = $(i + 1); if ($i == "memory" && $(i + 1) > om) om = $(i + 1) } }
    END { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c, r, wall, rank0, om + 0, w0 + 0, wo + 0, mib + 0 }
  ' "$out/stderr-$c.txt" >>"$runs"
  log "$c run $r: $wall s"
}

for ((r = 1; r <= repeats; r++)); do
  for c in $configs; do run_config "$c" "$r"; done
  # Every configuration wrote the same results (clusters.json and the manifest hold the timings).
  first=${configs%% *}
  for c in $configs; do
    for f in assignments.csv candidates.json trace.csv model.koe; do
      cmp -s "$out/out-$first/$f" "$out/out-$c/$f" || die "$c wrote another $f than $first"
    done
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v c="$1" -v k="$2" 'NR > 1 && $1 == c { print $k }' "$runs" | median; }

{
  echo "# koe-mpi beside koe ($voices voices, $profile profile, k = $k, $repeats runs each, medians)"
  echo
  echo "- $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "- $(mpirun --version 2>&1 | head -n 1); ranks run with --bind-to none"
  echo
  echo "| ranks x threads | wall s | rank 0 peak MiB | other ranks' peak MiB | rank 0 waiting s | others handing over s | blocks MiB |"
  echo "|---|---|---|---|---|---|---|"
  for c in $configs; do
    echo "| $c | $(col "$c" 3) | $(col "$c" 4) | $(col "$c" 5) | $(col "$c" 6) | $(col "$c" 7) | $(col "$c" 8) |"
  done
  echo
  # Ranks against threads: each PxT beside 1x(P*T) when both ran.
  for c in $configs; do
    ranks=${c%x*} threads=${c#*x}
    [ "$ranks" -gt 1 ] || continue
    base="1x$((ranks * threads))"
    case " $configs " in *" $base "*) ;; *) continue ;; esac
    # Each run against the run of the base just before it, which a busy spell spoils alike.
    paired=$(awk -F'\t' -v c="$c" -v base="$base" '
      NR > 1 && $1 == base { b[$2] = $3 } NR > 1 && $1 == c { a[$2] = $3 }
      END { for (r in a) if (r in b) printf "%.4f\n", a[r] / b[r] }' "$runs" | median)
    awk -v a="$(col "$c" 3)" -v b="$(col "$base" 3)" -v c="$c" -v base="$base" -v p="$paired" \
      'BEGIN { printf "- %s against %s: %+.1f%% wall time (medians); %+.1f%% (median of the runs side by side)\n", c, base, 100 * (a / b - 1), 100 * (p - 1) }'
  done
} >"$out/mpi.md"
cat "$out/mpi.md"
