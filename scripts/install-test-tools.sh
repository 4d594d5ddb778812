#!/usr/bin/env bash
# Installs the external tools the audit rendering tests use, when they are missing:
#   - Chromium (Debian package `chromium`): renders the HTML report headless (DOM dump, screenshot);
#   - markdown-it-py (PyPI, module `markdown_it`): parses the markdown report as CommonMark + GFM tables.
#   - check-jsonschema (PyPI): validates the audit spec's JSON Schema and the specs against it, and action.yml and
#     the workflows against GitHub's schemas.
#   - shellcheck and groff (Debian packages `shellcheck`, `groff-base`): check the action's and the release's shell
#     scripts, and render the release's man page.
#   - pre-commit (PyPI): runs the hooks of .pre-commit-hooks.yaml with `pre-commit try-repo`.
#   - Neovim (Debian package `neovim`): a real LSP client for `netpol-lint lsp`, run headless.
# Idempotent and quiet: nothing is done for a tool that is already there. It never fails the run: when the network
# or a registry says no, it prints a warning and exits 0; the tests then print `SKIPPED: ...` (or fail when
# NETPOL_LINT_REQUIRE_TOOLS is set).
set -uo pipefail

warn() { echo "netpol-lint: warning: $*" >&2; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="no-sudo"; fi
fi

# --- Chromium (apt) -------------------------------------------------------------------------------------------------
have_chromium() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
if ! have_chromium; then
  if [ "$sudo" = "no-sudo" ]; then
    warn "chromium is missing and neither root nor sudo is available; install it with: sudo apt-get install -y chromium"
  elif ! command -v apt-get >/dev/null 2>&1; then
    warn "chromium is missing and apt-get is not available; install Chromium with your package manager"
  else
    echo "netpol-lint: installing chromium (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Update the package lists once, only when apt does not know the package yet.
    if ! apt-cache show chromium >/dev/null 2>&1; then
      $sudo apt-get update -qq >/dev/null 2>&1 || warn "apt-get update failed"
    fi
    if ! $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
      # A stale list can name versions the mirror no longer has: refresh once and retry.
      $sudo apt-get update -qq >/dev/null 2>&1 || true
      $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
        || warn "could not install chromium (apt-get install chromium failed); the browser tests will be skipped"
    fi
  fi
fi
# The PDF print check converts pages with pdftoppm (poppler-utils); optional, best effort.
if ! command -v pdftoppm >/dev/null 2>&1 && [ "$sudo" != "no-sudo" ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null 2>&1 || true
fi

# --- shellcheck, groff (apt; small) -----------------------------------------------------------------------------------
apt_tool() {
  local command="$1" package="$2" what="$3"
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$sudo" = "no-sudo" ] || ! command -v apt-get >/dev/null 2>&1; then
    warn "$command is missing; install the package $package; $what will be skipped"
    return 0
  fi
  echo "netpol-lint: installing $package (apt)" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1; } \
    || warn "could not install $package (apt-get install $package failed); $what will be skipped"
}
apt_tool shellcheck shellcheck "the shell script checks"
apt_tool groff groff-base "the man page rendering check"
apt_tool nvim neovim "the Neovim language-server test"

# GNU time (/usr/bin/time) measures the peak memory of the netpol-lint runs the robustness tests make.
if [ ! -x /usr/bin/time ] && [ "$sudo" != "no-sudo" ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends time >/dev/null 2>&1 \
    || warn "could not install GNU time (apt-get install time failed); the memory budgets will be skipped"
fi

# --- Python tools (pip): markdown-it-py (CommonMark parser), check-jsonschema (JSON Schema validator) ----------------
# A Python package: `module` is what python3 imports, `package` what pip installs.
pip_tool() {
  local module="$1" package="$2" what="$3"
  if ! command -v python3 >/dev/null 2>&1; then
    warn "python3 is missing; $what will be skipped (install: apt-get install -y python3 python3-pip)"
    return 0
  fi
  python3 -c "import $module" >/dev/null 2>&1 && return 0
  echo "netpol-lint: installing $package (pip)" >&2
  pip_install() { python3 -m pip install --quiet --disable-pip-version-check "$@" "$package" >/dev/null 2>&1; }
  # Plain first (a virtualenv or pyenv), then the user site, then past PEP 668's externally-managed marker.
  pip_install || pip_install --user || pip_install --break-system-packages || pip_install --user --break-system-packages \
    || warn "could not install $package (python3 -m pip install $package failed); $what will be skipped"
}
pip_tool markdown_it markdown-it-py "the markdown parsing tests"
pip_tool check_jsonschema check-jsonschema "the JSON Schema tests"
pip_tool pre_commit pre-commit "the pre-commit hook tests"

exit 0
