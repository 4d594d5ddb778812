# shellcheck shell=bash
# Helpers shared by the action's steps (sourced, not run). Each step reads its inputs from INPUT_* environment
# variables that action.yml sets from `inputs.*` (never from ${{ }} pasted into a script), so that a test can run
# the same scripts with a fake GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_OS, RUNNER_ARCH and GITHUB_WORKSPACE.

# The action's own checkout (action.yml runs these scripts as $GITHUB_ACTION_PATH/action/*.sh).
action_root() {
  if [ -n "${GITHUB_ACTION_PATH:-}" ] && [ -d "$GITHUB_ACTION_PATH/action" ]; then
    (cd "$GITHUB_ACTION_PATH" && pwd)
  else
    (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  fi
}

# `output NAME VALUE`: a step output (appended to $GITHUB_OUTPUT; printed when there is none).
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"
  else
    printf 'output %s=%s\n' "$1" "$2"
  fi
}

# Workflow commands: the message goes into the log and, for error/warning, onto the run's page.
gh_error() { printf '::error title=netpol-lint::%s\n' "$(escape_data "$*")"; }
gh_warning() { printf '::warning title=netpol-lint::%s\n' "$(escape_data "$*")"; }
escape_data() { local s="$1"; s="${s//'%'/%25}"; s="${s//$'\r'/%0D}"; s="${s//$'\n'/%0A}"; printf '%s' "$s"; }

# `boolean_input NAME VALUE VAR`: sets VAR to true or false from a `true`/`false` input (GitHub passes strings);
# anything else is reported and returns 1.
boolean_input() {
  local name="$1" value="${2:-}"
  case "$value" in
    true|True|TRUE) printf -v "$3" true ;;
    false|False|FALSE) printf -v "$3" false ;;
    *) gh_error "input '$name' must be true or false (got '$value')"; return 1 ;;
  esac
}

# The `paths` input as the array PATHS: one path per line when it has several lines (paths with spaces), else
# separated by spaces; empty means the workspace itself.
read_paths() {
  PATHS=()
  local raw="${1:-}" line
  if [[ "$raw" == *$'\n'* ]]; then
    while IFS= read -r line; do
      line="${line#"${line%%[![:space:]]*}"}"
      line="${line%"${line##*[![:space:]]}"}"
      [ -n "$line" ] && PATHS+=("$line")
    done <<< "$raw"
  else
    read -r -a PATHS <<< "$raw"
  fi
  [ ${#PATHS[@]} -gt 0 ] || PATHS=(.)
}

# --preset / --config when the inputs are set, as the array COMMON_ARGS.
read_common_args() {
  COMMON_ARGS=()
  [ -n "${INPUT_PRESET:-}" ] && COMMON_ARGS+=(--preset "$INPUT_PRESET")
  [ -n "${INPUT_CONFIG:-}" ] && COMMON_ARGS+=(--config "$INPUT_CONFIG")
  return 0
}

# A scratch folder for this run: under RUNNER_TEMP on a runner (removed with the job).
scratch_dir() {
  local base="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
  mkdir -p "$base"
  mktemp -d "$base/netpol-lint.XXXXXX"
}

# Into the workspace (GITHUB_WORKSPACE) when there is one: paths and the SARIF's URIs are relative to it.
enter_workspace() {
  [ -n "${GITHUB_WORKSPACE:-}" ] || return 0
  cd "$GITHUB_WORKSPACE" || { gh_error "cannot enter GITHUB_WORKSPACE ($GITHUB_WORKSPACE)"; return 1; }
}

# Sets BIN to the netpol-lint program: NETPOL_LINT (the install step's output), else netpol-lint on PATH.
find_netpol_lint() {
  BIN="${NETPOL_LINT:-}"
  [ -n "$BIN" ] || BIN="$(command -v netpol-lint || true)"
  if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
    gh_error "netpol-lint is not installed (the install step did not run or failed)"
    return 1
  fi
}
