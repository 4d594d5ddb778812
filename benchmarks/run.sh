#!/usr/bin/env bash
# netpol-lint benchmark: wall time and peak memory against the physical floor (libyaml parsing the same bytes),
# plus one file linted through --stdin as an editor does on save. Prints figures; it is not a test and asserts
# nothing except that every tool ran successfully. See benchmarks/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
cd "$root"

runs="${BENCH_RUNS:-11}"
copies="${BENCH_COPIES:-4}"
skip_large="${BENCH_SKIP_LARGE:-0}"
stdin_runs=10

corpus_arg="${CORPUS:-../shared/corpus}"
if [ ! -d "$corpus_arg" ]; then
  echo "bench: corpus '$corpus_arg' not found (relative to $root)." >&2
  echo "bench: set CORPUS=/path/to/yaml/tree, or put the shared corpus at ../shared/corpus." >&2
  exit 2
fi
corpus="$(cd "$corpus_arg" && pwd)"

# --- tools -----------------------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time missing; installing the 'time' package" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y time >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y time >/dev/null; }
fi

mkdir -p "$out"
echo "bench: building the floor (libyaml event loop)" >&2
cc -O2 -o "$out/yaml-floor" "$here/yaml-floor.c" -lyaml
floor="$out/yaml-floor"

# As the release archive ships it (scripts/release.sh): the Swift runtime linked statically, which starts faster than
# loading it from shared libraries. libyaml stays a shared library, as in the floor. A build of its own, so that the
# usual release build (.build/release) is left as it is.
echo "bench: building netpol-lint (release, --static-swift-stdlib, in .build/bench)" >&2
swift build -c release --product netpol-lint --static-swift-stdlib --scratch-path .build/bench >&2
lint="$(swift build -c release --static-swift-stdlib --scratch-path .build/bench --show-bin-path)/netpol-lint"
[ -x "$lint" ] || { echo "bench: $lint not found after the build" >&2; exit 2; }

# --- data sets -------------------------------------------------------------------------------------------------
datasets=(corpus)
declare -A dir
dir[corpus]="$corpus"
if [ "$skip_large" != "1" ]; then
  large="$out/large"
  if [ ! -d "$large" ]; then
    echo "bench: replicating the corpus $copies times into $large" >&2
    bash "$root/../shared/scripts/replicate-corpus.sh" "$copies" "$large" >&2
  fi
  datasets+=(large)
  dir[large]="$large"
fi

# --- measuring -------------------------------------------------------------------------------------------------
tmpd="$(mktemp -d "${TMPDIR:-/tmp}/netpol-bench.XXXXXX")"
trap 'rm -rf "$tmpd"' EXIT

# measure_once CMD...: runs CMD under /usr/bin/time, stdout to /dev/null; sets m_wall (s), m_rss (KB), m_rc.
# The wall time is taken with nanosecond timestamps around the run (/usr/bin/time rounds it to 10 ms, too coarse for
# ratios near 0.9); the peak RSS comes from /usr/bin/time. Both include starting /usr/bin/time, alike for every tool.
# Exit status 0 and 1 are success (1 = netpol-lint found something); anything else aborts the benchmark.
measure_once() {
  local tf="$tmpd/time" ef="$tmpd/stderr" t0 t1
  m_rc=0
  t0="$(date +%s%N)"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" >/dev/null 2>"$ef" || m_rc=$?
  t1="$(date +%s%N)"
  if [ "$m_rc" -gt 1 ]; then
    echo "bench: '$*' failed with exit status $m_rc:" >&2
    tail -n 20 "$ef" >&2
    exit 1
  fi
  read -r _ m_rss < <(tail -n 1 "$tf")
  m_wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
  m_stderr="$(tail -n 1 "$ef")"
}

# The tools take turns (floor, jobs=1, jobs=2, floor, ...) so a burst of load from elsewhere on the machine hits
# all of them alike; each keeps its best (minimum wall) run of $runs, with that run's peak RSS.
# "nosem" is --jobs 1 with every rule that asks the semantics engine switched off: the price of the semantics is
# jobs=1 / nosem (target: at most 1.5x).
semantic_rules=(NP206 NP207 NP208 NP209 NP210 NP214 NP302 NP305 NP306 NP308)
nosem_flags=()
for r in "${semantic_rules[@]}"; do nosem_flags+=(--disable "$r"); done
tools=(floor "jobs=1" "jobs=2" nosem)
tool_cmd() {   # tool_cmd TOOL DIR: sets the array cmd
  case "$1" in
    floor) cmd=("$floor" "$2") ;;
    jobs=*) cmd=("$lint" check --jobs "${1#jobs=}" --format json "$2") ;;
    nosem) cmd=("$lint" check --jobs 1 --format json "${nosem_flags[@]}" "$2") ;;
  esac
}

rows=()
notes=()
for ds in "${datasets[@]}"; do
  d="${dir[$ds]}"
  echo "bench: $ds ($d)" >&2
  counts="$("$floor" "$d")"   # untimed: warms the page cache and counts files and bytes
  files="${counts#files=}"; files="${files%% *}"
  bytes="${counts##*bytes=}"
  mb="$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"

  declare -A best_wall=() best_rss=() best_err=() walls=()
  for ((i = 0; i < runs; i++)); do
    for t in "${tools[@]}"; do
      tool_cmd "$t" "$d"
      measure_once "${cmd[@]}"
      walls[$t]="${walls[$t]:-} $m_wall"
      if [ -z "${best_wall[$t]:-}" ] || awk -v a="$m_wall" -v b="${best_wall[$t]}" 'BEGIN { exit !(a < b) }'; then
        best_wall[$t]="$m_wall"; best_rss[$t]="$m_rss"; best_err[$t]="$m_stderr"
      fi
    done
  done

  floor_wall="${best_wall[floor]}"
  sem_ratio="$(awk -v a="${best_wall[jobs=1]}" -v b="${best_wall[nosem]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
  notes+=("$ds: semantics cost = ${sem_ratio}x (--jobs 1 with the semantic rules ${best_wall[jobs=1]} s, without ${best_wall[nosem]} s)")
  for t in "${tools[@]}"; do
    w="${best_wall[$t]}"; k="${best_rss[$t]}"
    ratio="$(awk -v a="$w" -v f="$floor_wall" 'BEGIN { if (f > 0) printf "%.2f", a / f; else print "n/a" }')"
    rows+=("$ds|$files|$mb|$t|$w|$k|$ratio")
    if [ "$t" = floor ] || [ "$t" = nosem ]; then
      echo "bench:   $t   ${w}s" >&2
    else
      notes+=("$ds: netpol-lint --jobs ${t#jobs=} = ${ratio}x floor (${w} s vs ${floor_wall} s, peak RSS $(awk -v k="$k" 'BEGIN { printf "%.0f", k / 1024 }') MB, $files files, $mb MB)")
      # The same ratio taken within each round (the tool's run over the floor's run just before it), median over the
      # rounds: the best runs of two tools may come from different moments of a machine whose speed varies.
      paired="$(awk -v f="${walls[floor]}" -v t="${walls[$t]}" 'BEGIN {
          n = split(f, fa, " "); split(t, ta, " ")
          for (i = 1; i <= n; i++) r[i] = ta[i] / fa[i]
          for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { x = r[i]; r[i] = r[j]; r[j] = x }
          m = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
          printf "%.2f (rounds: %.2f-%.2f)", m, r[1], r[n] }')"
      notes+=("$ds: netpol-lint --jobs ${t#jobs=}, paired: median over $runs rounds of (its wall / the floor's wall in the same round) = ${paired}")
      echo "bench:   $t  ${w}s  [${best_err[$t]}]" >&2
    fi
  done
  unset best_wall best_rss best_err walls
done

# --- where the time goes: one more run of each, with the engine's own clock per stage (NETPOL_LINT_PHASES) -------
phase_lines=()
for j in 1 2; do
  phases="$(NETPOL_LINT_PHASES=1 "$lint" check --jobs "$j" --format json "$corpus" 2>&1 >/dev/null | grep '^netpol-lint: phases:' || true)"
  phase_lines+=("corpus --jobs $j: ${phases#netpol-lint: phases: }")
done

# --- editor on save: one file through --stdin ------------------------------------------------------------------
# The first CiliumNetworkPolicy file of the corpus (outside hidden folders if possible), copied alone into a
# temporary folder so its repository context is just that file; linted as its path relative to its repo folder.
pick="$(cd "$corpus" && grep -rlZ --include='*.yaml' --include='*.yml' 'kind: CiliumNetworkPolicy' . 2>/dev/null \
          | tr '\0' '\n' | LC_ALL=C sort | { grep -v '/\.' || true; } | sed -n 1p || true)"
if [ -z "$pick" ]; then
  pick="$(cd "$corpus" && grep -rlZ --include='*.yaml' --include='*.yml' 'kind: CiliumNetworkPolicy' . 2>/dev/null \
            | tr '\0' '\n' | LC_ALL=C sort | sed -n 1p || true)"
fi
stdin_line=""
if [ -n "$pick" ]; then
  pick="${pick#./}"
  if [ "$pick" = "${pick#*/}" ]; then rel="$pick"; else rel="${pick#*/}"; fi   # strip the repo folder
  work="$tmpd/repo"
  mkdir -p "$work/$(dirname "$rel")"
  cp "$corpus/$pick" "$work/$rel"
  times=()
  for ((i = 0; i < stdin_runs; i++)); do
    rc=0
    t0="$(date +%s%N)"
    (cd "$work" && "$lint" check --stdin --stdin-filename "$rel" <"$work/$rel" >/dev/null 2>"$tmpd/stdin.err") || rc=$?
    t1="$(date +%s%N)"
    if [ "$rc" -gt 1 ]; then
      echo "bench: --stdin run failed with exit status $rc:" >&2
      tail -n 20 "$tmpd/stdin.err" >&2
      exit 1
    fi
    times+=("$(( (t1 - t0) / 1000 ))")   # microseconds
  done
  median_ms="$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }')"
  min_ms="$(printf '%s\n' "${times[@]}" | sort -n | sed -n 1p | awk '{ printf "%.1f", $1 / 1000 }')"
  stdin_line="stdin: one file ($rel, $(wc -c <"$work/$rel") bytes) = ${median_ms} ms median wall over $stdin_runs runs (best ${min_ms} ms), process start included"
else
  stdin_line="stdin: no file with 'kind: CiliumNetworkPolicy' in $corpus; not measured"
fi

# --- report ----------------------------------------------------------------------------------------------------
echo
echo "netpol-lint benchmark — $(uname -sm), $(nproc) CPUs, best of $runs runs"
echo "floor = libyaml event parse of the same files (benchmarks/yaml-floor.c); MB = 2^20 bytes"
echo
fmt='%-8s %8s %8s  %-7s %8s %10s %8s\n'
printf "$fmt" dataset files MB tool "wall s" "peak MB" "x floor"
printf "$fmt" -------- -------- -------- ------- -------- ---------- --------
for r in "${rows[@]}"; do
  IFS='|' read -r ds files mb tool wall rss ratio <<<"$r"
  printf "$fmt" "$ds" "$files" "$mb" "$tool" "$wall" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$ratio"
done
echo
for n in "${notes[@]}"; do echo "$n"; done
echo "$stdin_line"
echo
echo "stages (one run each, wall time):"
for p in "${phase_lines[@]}"; do echo "  $p"; done
echo
echo "targets: corpus --jobs 1 <= 1.3x floor, --jobs 2 <= 0.9x floor; semantics cost <= 1.5x; one file via --stdin <= 30 ms wall including process start"

# --- hostile inputs (docs/robustness.md) -----------------------------------------------------------------------------
echo
LINT="$lint" bash "$here/hostile.sh"
