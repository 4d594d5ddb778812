#!/usr/bin/env bash
# Installs what building and testing netpol-lint needs, when it is missing:
# libyaml and PCRE2 development files (Debian: libyaml-dev, libpcre2-dev) and pkg-config.
# For the SARIF-validation test (only when ../shared is present): Python's jsonschema.
set -euo pipefail
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists yaml-0.1 2>/dev/null || need+=(libyaml-dev)
pkg-config --exists libpcre2-8 2>/dev/null || need+=(libpcre2-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "netpol-lint: installing ${need[*]}" >&2
  $sudo apt-get install -y "${need[@]}" >/dev/null 2>&1 || { $sudo apt-get update >/dev/null && $sudo apt-get install -y "${need[@]}"; }
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -d "$here/../shared" ] && command -v python3 >/dev/null 2>&1; then
  python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install --quiet jsonschema >&2 || true
fi
