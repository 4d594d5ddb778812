#!/usr/bin/env bash
# The action's connectivity-diff step (pull requests): `netpol-lint diff --base <diff-base> --format md` appended to
# the job summary — which flows the change newly allows, newly denies or makes conditional (docs/diff.md).
# It never fails the job: a base that cannot be read gives a warning.
#
# Inputs (environment): INPUT_DIFF_BASE (a commit; action.yml's default is the pull request's base sha, empty on
# other events, and empty disables the step), INPUT_PATHS, INPUT_PRESET, INPUT_CONFIG, NETPOL_LINT.
# Outputs: diff-exit-code (0 no verdict changes, 1 changes, 2 could not compare), diff-file.
set -uo pipefail
# shellcheck source=action/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

base="${INPUT_DIFF_BASE:-}"
if [ -z "$base" ]; then
  echo "diff-base is empty: no connectivity diff"
  exit 0
fi
find_netpol_lint || { output diff-exit-code 2; exit 0; }
bin="$BIN"
read_paths "${INPUT_PATHS:-.}"
read_common_args
enter_workspace || { output diff-exit-code 2; exit 0; }

if ! git rev-parse --git-dir >/dev/null 2>&1; then
  gh_warning "diff-base is set but $PWD is not a git checkout; no connectivity diff"
  output diff-exit-code 2
  exit 0
fi
# actions/checkout fetches one commit by default: fetch the base commit alone when it is missing.
if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  echo "Fetching $base (not in the checkout)"
  if ! git fetch --no-tags --no-recurse-submodules --depth=1 origin "$base"; then
    gh_warning "could not fetch the diff base $base; no connectivity diff (actions/checkout with fetch-depth: 0 avoids the fetch)"
    output diff-exit-code 2
    exit 0
  fi
fi

work="$(scratch_dir)"
md="$work/netpol-lint-diff.md"
"$bin" diff --base "$base" --format md --output "$md" "${COMMON_ARGS[@]}" -- "${PATHS[@]}"
status=$?
output diff-exit-code "$status"
if [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; then
  output diff-file "$md"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    { echo; cat "$md"; } >> "$GITHUB_STEP_SUMMARY"
  else
    cat "$md"
  fi
  [ "$status" -eq 1 ] && echo "netpol-lint diff: the change alters who can reach whom (see the job summary)"
  [ "$status" -eq 0 ] && echo "netpol-lint diff: no flow changes its verdict"
else
  gh_warning "netpol-lint diff --base $base exited with $status; no connectivity diff (see the messages above)"
fi
exit 0
