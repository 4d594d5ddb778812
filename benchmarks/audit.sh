#!/usr/bin/env bash
# netpol-lint audit benchmark: wall time and peak memory of `netpol-lint audit` on every repository of the corpus
# (the largest by files and the one with the most namespaces are the figures to watch), and of `--flows` over a
# generated Hubble capture of BENCH_FLOW_LINES lines (default 1,000,000, about 1 GB): memory must not grow with the
# file. Prints figures; it is not a test. See benchmarks/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
cd "$root"
runs="${BENCH_RUNS:-3}"
lines="${BENCH_FLOW_LINES:-1000000}"
corpus_arg="${CORPUS:-../shared/corpus}"
if [ ! -d "$corpus_arg" ]; then
  echo "bench: corpus '$corpus_arg' not found; set CORPUS=/path/to/repositories" >&2
  exit 2
fi
corpus="$(cd "$corpus_arg" && pwd)"
if [ ! -x /usr/bin/time ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y time >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y time >/dev/null; }
fi
mkdir -p "$out"
echo "bench: building netpol-lint (release)" >&2
swift build -c release --product netpol-lint >&2
lint="$(swift build -c release --show-bin-path)/netpol-lint"

# best of $runs: "seconds max-rss-KB"
measure() {
  local best="" rss=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { s=$?; [ $s -le 1 ] || { cat "$out/stderr.txt" >&2; exit $s; }; }
    read -r t m < <(tail -n 1 "$out/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  echo "$best $rss"
}

echo
echo "audit of each corpus repository (best of $runs; release build; $(nproc) cores)"
printf '%-48s %7s %9s %10s %8s %12s\n' repository files seconds "peak MB" namespaces undocumented
for repo in "$corpus"/*/; do
  name="$(basename "$repo")"
  files=$(find "$repo" -name '*.y*ml' | wc -l)
  read -r t m < <(measure "$lint" audit --format json -o "$out/audit-$name.json" "$repo")
  read -r ns und < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['namespaces']), len(d['undocumented']))" "$out/audit-$name.json")
  printf '%-48s %7d %9s %10.1f %8s %12s\n' "$name" "$files" "$t" "$(awk "BEGIN{print $m/1024}")" "$ns" "$und"
done

flows="$out/hubble-$lines.jsonl"
if [ ! -f "$flows" ]; then
  echo "bench: writing $lines Hubble flow lines to $flows" >&2
  python3 - "$root/Fixtures/voting-app-cluster/hubble-flows.jsonl" "$lines" "$flows" <<'PY'
import sys
src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = [l for l in open(src).read().splitlines() if l.startswith('{"flow"')]
with open(dst, "w") as f:
    for i in range(n):
        # Vary the destination port so the groups grow a little, as in a real capture.
        l = base[i % len(base)]
        f.write(l.replace('"destination_port":80', '"destination_port":%d' % (80 + i % 50)) + "\n")
PY
fi
size=$(du -m "$flows" | cut -f1)
echo
echo "audit --flows over $lines lines ($size MB) against Fixtures/voting-app"
read -r t m < <(measure "$lint" audit --spec Fixtures/voting-app/audit/network-baseline.yaml --flows "$flows" --format json Fixtures/voting-app)
echo "  $t s, peak $(awk "BEGIN{print $m/1024}") MB"
read -r t0 m0 < <(measure "$lint" audit --spec Fixtures/voting-app/audit/network-baseline.yaml --format json Fixtures/voting-app)
echo "  (the same audit without --flows: $t0 s, peak $(awk "BEGIN{print $m0/1024}") MB)"
