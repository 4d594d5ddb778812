#!/usr/bin/env bash
# The action's last step: exits with the status the lint step recorded, which `check --fail-on <fail-on>` decided:
# 0 nothing at or above fail-on (always 0 with fail-on: never), 1 findings at or above it, 2 usage or
# configuration error (whatever fail-on says).
#
# Inputs (environment): EXIT_CODE, ERRORS, WARNINGS, NOTES (the lint step's outputs), INPUT_FAIL_ON.
set -uo pipefail
# shellcheck source=action/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

code="${EXIT_CODE:-}"
fail_on="${INPUT_FAIL_ON:-error}"
counts="${ERRORS:-?} errors, ${WARNINGS:-?} warnings, ${NOTES:-?} notes"
case "$code" in
  0)
    echo "netpol-lint: $counts; nothing at or above fail-on: $fail_on"
    exit 0 ;;
  1)
    gh_error "$counts; findings at or above fail-on: $fail_on fail this step (see the annotations and the job summary)"
    exit 1 ;;
  2)
    gh_error "netpol-lint could not lint (usage or configuration error); see the lint step's log"
    exit 2 ;;
  *)
    gh_error "the lint step recorded no exit status ('$code'); it did not run to the end"
    exit 2 ;;
esac
