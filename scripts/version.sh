#!/usr/bin/env bash
# Prints netpol-lint's version, the one `netpol-lint --version` prints: NetpolLint.version in
# Sources/NetpolLintCore/Reporting/Reporters.swift (the one place it is written). Read by the Makefile (release
# archive names), scripts/release.sh and the GitHub Action (the release an action checkout installs by default).
set -euo pipefail
file="$(cd "$(dirname "$0")/.." && pwd)/Sources/NetpolLintCore/Reporting/Reporters.swift"
version="$(sed -n 's/^ *public static let version = "\([^"]*\)".*/\1/p' "$file")"
if [ -z "$version" ] || [ "$(printf '%s\n' "$version" | wc -l)" -ne 1 ]; then
  echo "version.sh: no single 'public static let version = \"...\"' line in $file" >&2
  exit 1
fi
echo "$version"
