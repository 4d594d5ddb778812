#!/usr/bin/env bash
# The action's lint step. Runs `netpol-lint check` and records its exit status without failing the step (the last
# step of the action fails the job, after the SARIF upload and the job summary):
#
#   1. --format json --fail-on <fail-on>: the exit status (0, 1 findings at or above fail-on, 2 usage or
#      configuration error) and the counts per severity (summary.errors/warnings/notes, docs/output.md);
#   2. --format sarif --output <sarif-file>: the file for code scanning;
#   3. --format github: annotations in the log and on the pull request, and the findings table the CLI appends to
#      $GITHUB_STEP_SUMMARY (leave out either with annotations: false / summary: false).
#
# One report format per run is what the CLI does; linting is fast (the 1,300-file corpus takes about half a second),
# so three runs cost little next to a job's setup.
#
# Inputs (environment): INPUT_PATHS, INPUT_PRESET, INPUT_CONFIG, INPUT_FAIL_ON (error|warning|note|never),
# INPUT_ANNOTATIONS, INPUT_SUMMARY (true|false), INPUT_SARIF_FILE (default $RUNNER_TEMP/netpol-lint.sarif),
# NETPOL_LINT (the program; default: netpol-lint on PATH).
# Outputs: exit-code, errors, warnings, notes, sarif-file ('' when no SARIF was written), json-file.
set -uo pipefail
# shellcheck source=action/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

fail_on="${INPUT_FAIL_ON:-error}"
case "$fail_on" in
  error|warning|note|never) ;;
  *) gh_error "input 'fail-on' must be error, warning, note or never (got '$fail_on')"
     output exit-code 2; exit 0 ;;
esac
annotations=true summary=true
boolean_input annotations "${INPUT_ANNOTATIONS:-true}" annotations || { output exit-code 2; exit 0; }
boolean_input summary "${INPUT_SUMMARY:-true}" summary || { output exit-code 2; exit 0; }
find_netpol_lint || { output exit-code 2; exit 0; }
bin="$BIN"
read_paths "${INPUT_PATHS:-.}"
read_common_args
enter_workspace || { output exit-code 2; exit 0; }

work="$(scratch_dir)"
json_file="$work/netpol-lint.json"
sarif_file="${INPUT_SARIF_FILE:-}"
[ -n "$sarif_file" ] || sarif_file="${RUNNER_TEMP:-$work}/netpol-lint.sarif"
case "$sarif_file" in /*) ;; *) sarif_file="$PWD/$sarif_file" ;; esac
mkdir -p "$(dirname "$sarif_file")"

# 1. JSON: the exit status and the counts.
"$bin" check --format json --output "$json_file" --fail-on "$fail_on" "${COMMON_ARGS[@]}" -- "${PATHS[@]}"
status=$?
output exit-code "$status"
output json-file "$json_file"
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  gh_error "netpol-lint check exited with $status (usage or configuration error; see the messages above)"
  output errors ""; output warnings ""; output notes ""; output sarif-file ""
  exit 0
fi

counts=""
if command -v python3 >/dev/null 2>&1; then
  counts="$(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["errors"], s["warnings"], s["notes"])' "$json_file")"
elif command -v jq >/dev/null 2>&1; then
  counts="$(jq -r '.summary | "\(.errors) \(.warnings) \(.notes)"' "$json_file")"
fi
if ! [[ "$counts" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]]; then
  gh_error "could not read the counts from $json_file (needs python3 or jq)"
  counts="  "
fi
read -r errors warnings notes <<< "$counts"
output errors "${errors:-}"
output warnings "${warnings:-}"
output notes "${notes:-}"

# 2. SARIF for code scanning.
if "$bin" check --format sarif --output "$sarif_file" --fail-on never "${COMMON_ARGS[@]}" -- "${PATHS[@]}" 2>"$work/sarif.err"; then
  output sarif-file "$sarif_file"
else
  cat "$work/sarif.err" >&2
  gh_error "netpol-lint could not write the SARIF file $sarif_file"
  output sarif-file ""
fi

# 3. Annotations and the job summary.
if [ "$annotations" = true ] || [ "$summary" = true ]; then
  (
    [ "$summary" = true ] || unset GITHUB_STEP_SUMMARY
    if [ "$annotations" = true ]; then
      "$bin" check --format github --fail-on never "${COMMON_ARGS[@]}" -- "${PATHS[@]}" 2>"$work/github.err"
    else
      "$bin" check --format github --fail-on never "${COMMON_ARGS[@]}" -- "${PATHS[@]}" >/dev/null 2>"$work/github.err"
    fi
  ) || { cat "$work/github.err" >&2; gh_warning "netpol-lint --format github failed; no annotations"; }
fi

echo "netpol-lint: ${errors:-?} errors, ${warnings:-?} warnings, ${notes:-?} notes; exit status $status with fail-on: $fail_on"
exit 0
