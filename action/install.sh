#!/usr/bin/env bash
# The action's install step: puts netpol-lint on PATH for the rest of the job.
#
# Either downloads the release archive for the runner (RUNNER_OS/RUNNER_ARCH -> netpol-lint-<version>-linux-<arch>),
# checks it against the .sha256 published beside it, and unpacks it; or (INPUT_BUILD_FROM_SOURCE=true) builds the
# action's own checkout with Swift.
#
# Inputs (environment):
#   INPUT_VERSION            '' = the version of the action's own source (scripts/version.sh), 'latest' = the newest
#                            release of the action's repository, or a version: 0.1.0 / v0.1.0
#   INPUT_DOWNLOAD_URL       folder of the archives; '{version}' in it is replaced by the version
#                            (default https://github.com/<action repository>/releases/download/v{version});
#                            https:// and file:// URLs work
#   INPUT_BUILD_FROM_SOURCE  true/false
#   INPUT_TOKEN              token for the GitHub API when INPUT_VERSION=latest (github.token)
#   NETPOL_LINT_REPOSITORY   owner/name of the action (github.action_repository; may be empty in composite actions,
#                            then read from GITHUB_ACTION_PATH .../_actions/<owner>/<name>/<ref>)
# Outputs: path (the program), version.
set -euo pipefail
# shellcheck source=action/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

root="$(action_root)"
build_from_source=false
boolean_input build-from-source "${INPUT_BUILD_FROM_SOURCE:-false}" build_from_source || exit 2

finish() {
  local bin="$1" version
  if ! version="$("$bin" --version 2>&1)"; then
    gh_error "the installed netpol-lint does not run: $version"
    exit 1
  fi
  [ -n "${GITHUB_PATH:-}" ] && dirname "$bin" >> "$GITHUB_PATH"
  output path "$bin"
  output version "$version"
  echo "netpol-lint $version: $bin"
}

# --- Build from the action's checkout ----------------------------------------------------------------------------
if [ "$build_from_source" = true ]; then
  swift="${SWIFT:-swift}"
  if ! command -v "$swift" >/dev/null 2>&1; then
    gh_error "build-from-source: true needs Swift on the runner (a swift container image, or a Swift setup step before this action)"
    exit 1
  fi
  echo "Building netpol-lint from $root"
  bash "$root/scripts/install-deps.sh"
  "$swift" build -c release --product netpol-lint --package-path "$root"
  finish "$("$swift" build -c release --package-path "$root" --show-bin-path)/netpol-lint"
  exit 0
fi

# --- Download the release archive ---------------------------------------------------------------------------------
os="${RUNNER_OS:-$(uname -s)}"
case "$os" in
  Linux|linux) ;;
  *) gh_error "release archives are built for Linux only (this runner is $os); use build-from-source: true with Swift installed"
     exit 1 ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64|x86_64|amd64) arch=x86_64 ;;
  ARM64|aarch64|arm64) arch=aarch64 ;;
  *) gh_error "no release archive for the runner architecture '${RUNNER_ARCH:-$(uname -m)}' (x86_64 and aarch64 exist); use build-from-source: true"
     exit 1 ;;
esac

# The action's repository: the input, else from the action's path on the runner, else the workflow's repository.
repository="${NETPOL_LINT_REPOSITORY:-}"
if [ -z "$repository" ] && [[ "${GITHUB_ACTION_PATH:-}" == */_actions/*/*/* ]]; then
  rest="${GITHUB_ACTION_PATH#*/_actions/}"
  owner="${rest%%/*}"; rest="${rest#*/}"
  repository="$owner/${rest%%/*}"
fi
repository="${repository:-${GITHUB_REPOSITORY:-}}"

version="${INPUT_VERSION:-}"
version="${version#v}"
if [ -z "$version" ]; then
  version="$(bash "$root/scripts/version.sh")"
elif [ "$version" = latest ]; then
  if [ -n "${INPUT_DOWNLOAD_URL:-}" ]; then
    gh_error "version: latest is looked up on GitHub; with download-url set, give the version (e.g. version: 0.1.0)"
    exit 1
  fi
  [ -n "$repository" ] || { gh_error "version: latest needs the action's repository, which is unknown here"; exit 1; }
  auth=()
  [ -n "${INPUT_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $INPUT_TOKEN")
  api="${GITHUB_API_URL:-https://api.github.com}/repos/$repository/releases/latest"
  if ! release_json="$(curl -fsSL --retry 3 "${auth[@]}" -H "Accept: application/vnd.github+json" "$api")"; then
    gh_error "could not read the latest release of $repository ($api)"
    exit 1
  fi
  version="$(printf '%s' "$release_json" | sed -n 's/^ *"tag_name": *"v\{0,1\}\([^"]*\)".*/\1/p' | head -n 1)"
  [ -n "$version" ] || { gh_error "the latest release of $repository has no tag_name"; exit 1; }
fi
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  gh_error "version '$version' is not a release version like 0.1.0 (or latest, or empty for the action's own)"
  exit 1
fi

if [ -n "${INPUT_DOWNLOAD_URL:-}" ]; then
  base="${INPUT_DOWNLOAD_URL//\{version\}/$version}"
else
  [ -n "$repository" ] || { gh_error "the action's repository is unknown; set download-url"; exit 1; }
  base="${GITHUB_SERVER_URL:-https://github.com}/$repository/releases/download/v$version"
fi
base="${base%/}"
name="netpol-lint-$version-linux-$arch"
archive="$name.tar.gz"

dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/netpol-lint-install/$version-$arch"
bin="$dest/$name/bin/netpol-lint"
if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "$version" ]; then
  echo "netpol-lint $version is already installed in this job"
  finish "$bin"
  exit 0
fi

work="$(scratch_dir)"
trap 'rm -rf "$work"' EXIT
echo "Downloading $base/$archive"
if ! curl -fsSL --retry 3 --retry-delay 2 -o "$work/$archive" "$base/$archive"; then
  gh_error "could not download $base/$archive (is there a release $version with an archive for linux-$arch? build-from-source: true builds it instead)"
  exit 1
fi
if ! curl -fsSL --retry 3 --retry-delay 2 -o "$work/$archive.sha256" "$base/$archive.sha256"; then
  gh_error "could not download $base/$archive.sha256: the archive cannot be checked, so it is not used"
  exit 1
fi
expected="$(awk 'NR == 1 { print tolower($1) }' "$work/$archive.sha256")"
if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  gh_error "$archive.sha256 does not start with a SHA-256 checksum"
  exit 1
fi
actual="$(sha256sum "$work/$archive" | awk '{ print $1 }')"
if [ "$actual" != "$expected" ]; then
  gh_error "checksum mismatch for $archive: expected $expected, got $actual; the download is corrupt or was altered, so it is not used"
  exit 1
fi
echo "sha256 $actual OK"

rm -rf "$dest"
mkdir -p "$dest"
if ! tar -xzf "$work/$archive" -C "$dest"; then
  gh_error "could not unpack $archive"
  exit 1
fi
[ -x "$bin" ] || { gh_error "$archive holds no $name/bin/netpol-lint"; exit 1; }
got="$("$bin" --version 2>&1 || true)"
if [ "$got" != "$version" ]; then
  gh_error "the archive for $version holds netpol-lint '$got'"
  exit 1
fi
finish "$bin"
