#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, each in a scratch path of its own (.build-asan,
# .build-tsan) so that the normal build is left alone. Any sanitizer report fails the run: a report aborts the
# process it happens in (the test runner, or a netpol-lint child whose exit status the tests check).
#
#   bash scripts/sanitizers.sh            # both
#   bash scripts/sanitizers.sh address    # one of: address, thread
#
# ThreadSanitizer runs the tests that read files in parallel (the reader, the CLI with its default --jobs 2, the
# hostile inputs): TSAN_FILTER overrides the filter ("" runs the whole suite). Environment: SWIFT (default swift).
set -euo pipefail
cd "$(dirname "$0")/.."

swift="${SWIFT:-swift}"
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(address thread)
tsan_filter="${TSAN_FILTER-ParallelReaderTests|FileFeedTests|RobustnessTests|HostileInputTests|CLITests|NamedFilesTests|UsageTests}"

for kind in "${kinds[@]}"; do
  case "$kind" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "sanitizers: unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
  esac
  echo "sanitizers: building the tests with --sanitize=$kind into $scratch" >&2
  start=$(date +%s)
  "$swift" build --build-tests --sanitize="$kind" --scratch-path "$scratch" >&2
  built=$(date +%s)
  filter=()
  if [ "$kind" = thread ] && [ -n "$tsan_filter" ]; then filter=(--filter "$tsan_filter"); fi
  echo "sanitizers: running the tests under $kind sanitizer${filter[*]:+ (${filter[*]})}" >&2
  # Leak checking is off: the Swift runtime keeps metadata caches for the life of the process by design.
  # halt_on_error: the first report ends the process (exit status 66 for ThreadSanitizer, 1 for AddressSanitizer),
  # so a report can never scroll by unnoticed; exiting rather than aborting leaves no crash handler to wait for.
  NETPOL_LINT_SANITIZER="$kind" \
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}" \
  TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1}" \
    "$swift" test --skip-build --sanitize="$kind" --scratch-path "$scratch" "${filter[@]}"
  done_at=$(date +%s)
  echo "sanitizers: $kind: build $((built - start)) s, tests $((done_at - built)) s, no report" >&2
done
