#!/usr/bin/env bash
# The cost of hostile inputs (docs/robustness.md): each case is generated into a temporary folder and linted by the
# release build, under /usr/bin/time; prints the input size, the exit status, the wall time, the peak RSS and the
# diagnostic netpol-lint gave. A figure-printing harness, not a test (Tests/CLITests/RobustnessTests.swift asserts
# the budgets); it fails only when netpol-lint crashes (exit status above 2) or a case cannot be generated.
#
#   bash benchmarks/hostile.sh        # after `swift build -c release` (make bench builds it)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

lint="${LINT:-$(swift build -c release --show-bin-path)/netpol-lint}"
case "$lint" in /*) ;; *) lint="$root/$lint" ;; esac
[ -x "$lint" ] || { echo "hostile: $lint not found; run swift build -c release --product netpol-lint" >&2; exit 2; }
tmpd="$(mktemp -d "${TMPDIR:-/tmp}/netpol-hostile.XXXXXX")"
trap 'rm -rf "$tmpd"' EXIT

big="$(head -c 100000 /dev/zero | tr '\0' 'x')"
policy_head='apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: a, namespace: b}'

gen() {   # gen CASE DIR: writes the case's files into DIR
  local c="$1" d="$2"
  mkdir -p "$d"
  case "$c" in
    alias-matchName)
      { echo "$policy_head"; echo "x-big: &big \"$big\""; echo 'spec:'; echo '  endpointSelector: {}'
        echo '  egress:'; echo '    - toFQDNs:'
        awk 'BEGIN { for (i = 0; i < 20000; i++) print "        - matchName: *big" }'; } >"$d/p.yaml" ;;
    alias-toEntities)
      { echo "$policy_head"; echo "x-big: &big \"$big\""; echo 'spec:'; echo '  endpointSelector: {}'
        echo '  egress:'
        awk 'BEGIN { printf "    - toEntities: [*big"; for (i = 1; i < 20000; i++) printf ", *big"; print "]" }'; } >"$d/p.yaml" ;;
    alias-keys)
      { echo "$policy_head"; echo "x-big: &big \"$big\""; echo 'spec:'; echo '  endpointSelector: {}'
        echo '  ingress:'; echo '    - fromEndpoints:'; echo '        - matchLabels:'
        awk 'BEGIN { for (i = 0; i < 20000; i++) print "            *big : v" }'; } >"$d/p.yaml" ;;
    empty-documents)
      awk 'BEGIN { for (i = 0; i < 250000; i++) print "---" }' >"$d/p.yaml" ;;
    one-line-documents)
      awk 'BEGIN { while (n < 9 * 1048576) { s = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"; printf "%s", s; n += length(s) } }' >"$d/p.yaml" ;;
    distinct-tags)
      awk 'BEGIN { for (i = 0; i < 70000; i++) print "- !t" i " 0" }' >"$d/p.yaml" ;;
    tag-prefix)
      { printf '%%TAG !p! tag:%s:\n---\n' "$big"; awk 'BEGIN { for (i = 0; i < 50000; i++) print "- !p!t" i " 0" }'; } >"$d/p.yaml" ;;
    glob-globstars)
      local deep; deep="$(printf 'a/%.0s' $(seq 60))"
      mkdir -p "$d/$deep"
      printf '%s\nspec: {endpointSelector: {}}\n' "$policy_head" >"$d/${deep}x.yaml"
      printf "exclude: ['%s**/a/**/x.yaml', '%s']\n" "$(printf '**/a/%.0s' $(seq 30))" "$(printf '**/%.0s' $(seq 40))nothing.yaml" >"$d/.netpol-lint.yaml" ;;
    allow-x-deny)
      { echo "$policy_head"; echo 'spec:'; echo '  endpointSelector: {}'; echo '  egress:'
        awk 'BEGIN { for (i = 0; i < 7400; i++) print "    - {toEndpoints: [{}], toPorts: [{ports: [{port: \"" i + 1 "\", protocol: TCP}]}]}" }'
        echo '  egressDeny:'
        awk 'BEGIN { for (i = 0; i < 7400; i++) print "    - {toEndpoints: [{}], toPorts: [{ports: [{port: \"" 2 * i + 1 "\", protocol: TCP}]}]}" }'; } >"$d/p.yaml" ;;
    fifo)
      mkfifo "$d/p.yaml" ;;
    *) echo "hostile: unknown case $c" >&2; exit 2 ;;
  esac
}

cases=(alias-matchName alias-toEntities alias-keys empty-documents one-line-documents distinct-tags tag-prefix
       glob-globstars allow-x-deny fifo)
fmt='%-20s %9s %5s %8s %9s  %s\n'
echo "netpol-lint on hostile inputs — $(uname -sm), $(nproc) CPUs, release build, --jobs 1"
printf "$fmt" case "input KB" exit "wall s" "peak MB" "diagnostic"
printf "$fmt" -------------------- --------- ----- -------- --------- ----------
for c in "${cases[@]}"; do
  d="$tmpd/$c"
  gen "$c" "$d"
  kb="$(du -sk --apparent-size "$d" | awk '{ print $1 }')"
  rc=0
  (cd "$d" && /usr/bin/time -f '%e %M' -o "$tmpd/time" "$lint" check --jobs 1 --format text --fail-on never . \
     >"$tmpd/out" 2>"$tmpd/err") || rc=$?
  if [ "$rc" -gt 2 ]; then
    echo "hostile: $c: netpol-lint exited $rc" >&2
    tail -n 20 "$tmpd/err" >&2
    exit 1
  fi
  read -r wall rss < <(tail -n 1 "$tmpd/time")
  diag="$(grep -m 1 -E ': (error|warning|note): ' "$tmpd/out" | sed -E 's/^[^ ]+ (error|warning|note): //' | cut -c1-70 || true)"
  printf "$fmt" "$c" "$kb" "$rc" "$wall" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "${diag:-(no finding)}"
done
