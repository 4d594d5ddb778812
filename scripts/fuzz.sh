#!/usr/bin/env bash
# Fuzzes the readers of untrusted input with libFuzzer (swiftc -sanitize=fuzzer,address): the YAML composer, the
# model decoder, the whole engine on one file, the configuration reader and the audit spec reader
# (Tests/Fuzz/Targets/FuzzTargets.swift). Built in .build-fuzz/; seeded from Fixtures/, the kept regression inputs
# (Tests/Fuzz/Regressions/<target>/) and, when present, a few files of ../shared/corpus.
#
#   bash scripts/fuzz.sh                      # every target, FUZZ_SECONDS (default 300) each
#   bash scripts/fuzz.sh --seconds 60 yaml    # one target, one minute
#
# Prints, per target, the executions, their rate, the inputs that grew coverage and what was found. An input that
# crashes, trips AddressSanitizer, runs over 10 s (-timeout) or takes over 2 GB (-rss_limit_mb) is copied to
# Tests/Fuzz/Regressions/<target>/ (commit it with the fix: the test suite replays every file there) and the script
# exits 1. Environment: FUZZ_SECONDS, FUZZ_MAX_LEN (default 16384), SWIFT (default swift).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

seconds="${FUZZ_SECONDS:-300}"
max_len="${FUZZ_MAX_LEN:-16384}"
swift="${SWIFT:-swift}"
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#--seconds=}"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option '$1'" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(yaml model engine config spec)
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
for t in "${targets[@]}"; do
  case " ${all[*]} " in *" $t "*) ;; *) echo "fuzz: unknown target '$t' (targets: ${all[*]})" >&2; exit 2 ;; esac
done

scratch="$root/.build-fuzz"
echo "fuzz: building the targets with -sanitize=fuzzer,address into $scratch" >&2
"$swift" build -c release --scratch-path "$scratch" --target NetpolLintFuzzTargets \
  -Xswiftc -sanitize=fuzzer,address >&2
objects=("$scratch"/release/NetpolLintCore.build/*.o "$scratch"/release/NetpolLintRules.build/*.o
         "$scratch"/release/NetpolLintFuzzTargets.build/*.o)

# --- seeds ---------------------------------------------------------------------------------------------------------
seed_dir() {   # seed_dir TARGET: fills $scratch/corpus/TARGET (kept between runs: it grows with what was learnt)
  local t="$1" d="$scratch/corpus/$1"
  mkdir -p "$d"
  case "$t" in
    config) find Fixtures -name '.netpol-lint.yaml' | while read -r f; do cp "$f" "$d/$(echo "$f" | tr '/' '_')"; done ;;
    spec) find Fixtures -path '*/audit/*.yaml' | while read -r f; do cp "$f" "$d/$(echo "$f" | tr '/' '_')"; done ;;
    *)
      find Fixtures -name '*.yaml' -not -path '*/audit/*' -size -64k | while read -r f; do
        cp "$f" "$d/$(echo "$f" | tr '/' '_')"
      done
      # A few real repositories' policies, when the shared corpus is beside the repository.
      if [ -d ../shared/corpus ]; then
        grep -rlZ --include='*.yaml' -e 'kind: CiliumNetworkPolicy' -e 'kind: NetworkPolicy' ../shared/corpus 2>/dev/null \
          | tr '\0' '\n' | LC_ALL=C sort | awk 'NR % 40 == 1' | head -n 25 | while read -r f; do
            [ "$(wc -c <"$f")" -le 65536 ] && cp "$f" "$d/corpus_$(echo "$f" | tr '/' '_')"
          done
      fi
      ;;
  esac
  if [ -d "Tests/Fuzz/Regressions/$t" ]; then
    find "Tests/Fuzz/Regressions/$t" -type f -exec cp {} "$d/" \;
  fi
}

# --- run -------------------------------------------------------------------------------------------------------------
summary=()
found=0
for t in "${targets[@]}"; do
  define="FUZZ_$(echo "$t" | tr '[:lower:]' '[:upper:]')"
  bin="$scratch/fuzz-$t"
  swiftc -sanitize=fuzzer,address -parse-as-library -O -D "$define" -module-name "Fuzz_$t" \
    -I "$scratch/release/Modules" \
    -Xcc -fmodule-map-file=Sources/CYAML/module.modulemap -Xcc -fmodule-map-file=Sources/CPCRE2/module.modulemap \
    Tests/Fuzz/Entry/FuzzEntry.swift "${objects[@]}" -lyaml -lpcre2-8 -o "$bin" 2>&1 \
    | { grep -v 'Cannot export local symbol' || true; } >&2
  seed_dir "$t"
  artifacts="$scratch/artifacts/$t"
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  log="$scratch/fuzz-$t.log"
  echo "fuzz: $t for ${seconds}s ($(find "$scratch/corpus/$t" -type f | wc -l) inputs in its corpus)" >&2
  status=0
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" "$bin" "$scratch/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -dict=Tests/Fuzz/yaml.dict -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs="$(awk '/stat::number_of_executed_units/ { print $NF }' "$log" | tail -n 1)"
  rate="$(awk '/stat::average_exec_per_sec/ { print $NF }' "$log" | tail -n 1)"
  added="$(awk '/stat::new_units_added/ { print $NF }' "$log" | tail -n 1)"
  crashes=()
  for a in "$artifacts"/*; do
    [ -f "$a" ] || continue
    mkdir -p "Tests/Fuzz/Regressions/$t"
    cp "$a" "Tests/Fuzz/Regressions/$t/"
    crashes+=("Tests/Fuzz/Regressions/$t/$(basename "$a")")
  done
  if [ "$status" -ne 0 ] || [ ${#crashes[@]} -gt 0 ]; then
    found=1
    echo "fuzz: $t FAILED (exit $status); the end of $log:" >&2
    grep -E 'ERROR|SUMMARY|Fatal error|Test unit written|==[0-9]+==' "$log" | head -n 20 >&2 || tail -n 30 "$log" >&2
    summary+=("$t: ${execs:-?} executions (${rate:-?}/s), ${added:-0} new inputs; FOUND: ${crashes[*]:-exit $status}")
  else
    summary+=("$t: ${execs:-?} executions (${rate:-?}/s), ${added:-0} new inputs, nothing found")
  fi
done

echo
echo "fuzzing, ${seconds}s per target (libFuzzer + AddressSanitizer, swiftc -sanitize=fuzzer,address):"
for s in "${summary[@]}"; do echo "  $s"; done
if [ "$found" -ne 0 ]; then
  echo "fuzz: inputs that fail are in Tests/Fuzz/Regressions/; fix them and commit them (the tests replay them)" >&2
  exit 1
fi
