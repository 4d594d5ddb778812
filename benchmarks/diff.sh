#!/usr/bin/env bash
# netpol-lint diff benchmark: wall time and peak memory of `netpol-lint diff --base HEAD` on copies of corpus
# repositories committed into a scratch git repository, with a synthetic change in the work tree: one policy's port
# edited (a narrow change), and a cluster-wide default-deny added (a change that touches every pod). Prints figures;
# it is not a test. See benchmarks/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
cd "$root"
corpus_arg="${CORPUS:-../shared/corpus}"
[ -d "$corpus_arg" ] || { echo "bench: corpus '$corpus_arg' not found; set CORPUS" >&2; exit 2; }
corpus="$(cd "$corpus_arg" && pwd)"
repos="${BENCH_DIFF_REPOS:-sulibot+home-ops ArthurVardevanyan+HomeLab JJGadgets+Biohazard}"
mkdir -p "$out"
swift build -c release --product netpol-lint >&2
lint="$(swift build -c release --show-bin-path)/netpol-lint"

printf '%-28s %-22s %9s %9s %8s %8s\n' repository change seconds "peak MB" changes objects
for repo in $repos; do
  [ -d "$corpus/$repo" ] || continue
  work="$out/diff-$repo"
  rm -rf "$work"; mkdir -p "$work"
  cp -r "$corpus/$repo/." "$work/"
  (cd "$work" && git init -q && git add -A && git -c user.email=b@b -c user.name=bench commit -qm base)
  # 1. A narrow change: the first policy naming port 443 names 8443 instead.
  file=$(cd "$work" && grep -rl --include='*.yaml' -E 'kind: (CiliumNetworkPolicy|NetworkPolicy)' . | xargs grep -l '443' | head -1 || true)
  if [ -n "$file" ]; then
    (cd "$work" && sed -i '0,/443/s//8443/' "$file")
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$lint" diff --base HEAD --format json -o "$out/diff.json" "$work" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$out/time.txt")
    read -r n o < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['changes']), len(d['objects']))" "$out/diff.json")
    printf '%-28s %-22s %9s %9.1f %8s %8s\n' "${repo%%+*}" "port 443 -> 8443" "$t" "$(awk "BEGIN{print $m/1024}")" "$n" "$o"
    (cd "$work" && git checkout -q -- .)
  fi
  # 2. A broad change: a cluster-wide default-deny of ingress.
  cat > "$work/bench-default-deny.yaml" <<'YAML'
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: bench-default-deny}
spec:
  endpointSelector: {}
  ingress: [{}]
YAML
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$lint" diff --base HEAD --format json -o "$out/diff.json" "$work" >/dev/null 2>&1 || true
  read -r t m < <(tail -n 1 "$out/time.txt")
  read -r n o < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['changes']), len(d['objects']))" "$out/diff.json")
  printf '%-28s %-22s %9s %9.1f %8s %8s\n' "${repo%%+*}" "cluster default-deny" "$t" "$(awk "BEGIN{print $m/1024}")" "$n" "$o"
  rm -rf "$work"
done
