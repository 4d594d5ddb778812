#!/usr/bin/env bash
# Language server benchmark: in one real repository (ArthurVardevanyan/HomeLab from the shared corpus, about 2,000
# YAML files), how long `netpol-lint lsp` takes from its start to the first diagnostics of an opened policy file,
# and from each edit (textDocument/didChange) to its diagnostics, against `check --stdin` of the same file with the
# same repository as context. Prints figures; asserts nothing except that the runs succeed. See benchmarks/README.md.
#
# Environment: REPO (default ../shared/corpus/ArthurVardevanyan+HomeLab), EDITS (default 50), STDIN_RUNS (default
# 10), BENCH_FILE (a file under REPO, relative to it; default: the first NetworkPolicy or Cilium policy file).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

repo_arg="${REPO:-../shared/corpus/ArthurVardevanyan+HomeLab}"
edits="${EDITS:-50}"
stdin_runs="${STDIN_RUNS:-10}"
if [ ! -d "$repo_arg" ]; then
  echo "bench: repository '$repo_arg' not found (relative to $root); set REPO=/path/to/a/gitops/repository" >&2
  exit 2
fi
repo="$(cd "$repo_arg" && pwd)"
command -v python3 >/dev/null || { echo "bench: python3 is needed to drive the language server" >&2; exit 2; }

echo "bench: building netpol-lint (release)" >&2
swift build -c release --product netpol-lint >&2
lint="$(swift build -c release --show-bin-path)/netpol-lint"

file="${BENCH_FILE:-}"
if [ -z "$file" ]; then
  file="$(cd "$repo" && grep -rlE --include='*.yaml' --include='*.yml' '^kind: (CiliumNetworkPolicy|NetworkPolicy)' . 2>/dev/null \
            | LC_ALL=C sort | { grep -v '/\.' || true; } | sed -n 1p)"
  file="${file#./}"
fi
[ -n "$file" ] && [ -f "$repo/$file" ] || { echo "bench: no policy file found in $repo" >&2; exit 2; }
files="$(find "$repo" \( -name .git -prune \) -o -type f \( -name '*.yaml' -o -name '*.yml' \) -print | wc -l)"

# One untimed run warms the page cache.
python3 "$here/lsp_driver.py" "$lint" "$repo" "$file" 3 >/dev/null
result="$(python3 "$here/lsp_driver.py" "$lint" "$repo" "$file" "$edits")"
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$result" "$1"; }

# check --stdin on the same file, the whole repository named as its context (the corpus has no .git of its own).
times=()
for ((i = 0; i < stdin_runs; i++)); do
  rc=0
  t0="$(date +%s%N)"
  (cd "$repo" && "$lint" check --stdin --stdin-filename "$file" . <"$file" >/dev/null 2>/dev/null) || rc=$?
  t1="$(date +%s%N)"
  if [ "$rc" -gt 1 ]; then echo "bench: check --stdin failed with exit status $rc" >&2; exit 1; fi
  times+=("$(( (t1 - t0) / 1000 ))")
done
stdin_median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }')"

echo
echo "netpol-lint lsp benchmark — $(uname -sm), $(nproc) CPUs; $repo ($files YAML files), file $file"
echo "lsp: first diagnostics $(field first_diagnostics_ms) ms after the server was started (initialize, initialized, didOpen; $(field first_diagnostics_count) diagnostics)"
echo "lsp: change -> diagnostics over $(field edits) didChange edits: median $(field change_median_ms) ms, p95 $(field change_p95_ms) ms, max $(field change_max_ms) ms"
echo "check --stdin of the same file with the repository as context: median ${stdin_median} ms wall over $stdin_runs runs, process start included"
echo
echo "targets: change -> diagnostics <= 30 ms; first diagnostics <= 1 s"
