#!/usr/bin/env bash
# Builds the release archive (`make release`):
#
#   .build/dist/netpol-lint-<version>-linux-<arch>.tar.gz   (+ .sha256 beside it)
#
# holding one folder, netpol-lint-<version>-linux-<arch>/, laid out like an install prefix:
#
#   bin/netpol-lint                                   the program (stripped)
#   share/man/man1/netpol-lint.1                      man page (swift-argument-parser's generate-manual plugin)
#   share/bash-completion/completions/netpol-lint     completions, written by the program itself
#   share/zsh/site-functions/_netpol-lint
#   share/fish/vendor_completions.d/netpol-lint.fish
#   LICENSE README.md CHANGELOG.md
#
# The program runs on a Linux machine with neither Swift nor libyaml nor PCRE2 installed: the Swift runtime and
# Foundation are linked statically (--static-swift-stdlib), and so are libyaml, PCRE2 and libstdc++ (which the
# Swift runtime uses). Only glibc (libc, libm, ld-linux) and libgcc_s stay dynamic.
#
# How the C libraries end up static without touching Package.swift: the module maps of Sources/CYAML and
# Sources/CPCRE2 say `link "yaml"` / `link "pcre2-8"`, and Package.swift names their pkg-config files. This build
# alone puts a folder first on PKG_CONFIG_PATH whose yaml-0.1.pc and libpcre2-8.pc point the linker (-L) at a folder
# holding only the static archives (libyaml.a, libpcre2-8.a, libstdc++.a). `-lyaml` then finds libyaml.a before any
# shared library. The debug build and the tests read the system's .pc files and link dynamically as before.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
SWIFT="${SWIFT:-swift}"

die() { echo "release: $*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || die "release archives are built on Linux (this is $(uname -s))"
version="$(bash scripts/version.sh)"
arch="$(uname -m)"
name="netpol-lint-$version-linux-$arch"
dist="$root/.build/dist"
stage="$dist/$name"
static="$root/.build/static-libs"

# --- The folder of static archives and the pkg-config files that point at it ------------------------------------
rm -rf "$static"
mkdir -p "$static"
for pair in yaml-0.1:yaml libpcre2-8:pcre2-8; do
  pc="${pair%%:*}" lib="${pair#*:}"
  libdir="$(pkg-config --variable=libdir "$pc" 2>/dev/null)" || die "pkg-config does not know $pc (run: make deps)"
  [ -f "$libdir/lib$lib.a" ] || die "$libdir/lib$lib.a is missing (Debian: libyaml-dev / libpcre2-dev ship it)"
  ln -s "$libdir/lib$lib.a" "$static/lib$lib.a"
  {
    echo "Name: $pc"
    echo "Description: $pc, static archive only (netpol-lint release build)"
    echo "Version: $(pkg-config --modversion "$pc")"
    echo "Cflags: $(pkg-config --cflags "$pc")"
    echo "Libs: -L$static -l$lib"
  } > "$static/$pc.pc"
done
# libstdc++: the C++ compiler knows where its static archive is. Without it the binary still works, with
# libstdc++.so.6 as one more (very common) dependency.
stdcxx=""
for cc in "${CXX:-}" g++ c++ clang++ clang; do
  { [ -n "$cc" ] && command -v "$cc" >/dev/null 2>&1; } || continue
  candidate="$("$cc" -print-file-name=libstdc++.a 2>/dev/null || true)"
  if [ -f "$candidate" ] && [ "$candidate" != libstdc++.a ]; then stdcxx="$candidate"; break; fi
done
if [ -n "$stdcxx" ]; then
  ln -s "$stdcxx" "$static/libstdc++.a"
else
  echo "release: warning: libstdc++.a not found (install g++); libstdc++.so.6 stays a dynamic dependency" >&2
fi

# --- The program -------------------------------------------------------------------------------------------------
echo "release: swift build -c release --static-swift-stdlib (libyaml, PCRE2, libstdc++ static)" >&2
PKG_CONFIG_PATH="$static" "$SWIFT" build -c release --product netpol-lint --static-swift-stdlib >&2
bin="$("$SWIFT" build -c release --show-bin-path)/netpol-lint"
[ -x "$bin" ] || die "$bin was not built"

# Nothing of Swift, Foundation, libyaml or PCRE2 may be loaded at run time.
if needed="$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"; then
  bad="$(echo "$needed" | grep -E '^lib(swift|Foundation|_Foundation|dispatch|BlocksRuntime|yaml|pcre2|icu)' || true)"
  [ -z "$bad" ] || die "the binary still needs: $(echo "$bad" | tr '\n' ' ')"
fi
built_version="$(env -i "$bin" --version)"
[ "$built_version" = "$version" ] || die "the binary says version '$built_version', scripts/version.sh says '$version'"

# --- Man page: swift-argument-parser's generate-manual tool, run on the binary being shipped ---------------------
# The tool comes with the argument-parser package the build resolved (.build/checkouts, no network). It is built
# from there in a scratch folder of its own: its `swift package generate-manual` plugin would rebuild the whole
# package without --static-swift-stdlib (a second full release compile), and with the static standard library that
# rebuild fails on the test-support target. The page's date is the last commit's: the same commit, the same page.
parser="$root/.build/checkouts/swift-argument-parser"
[ -f "$parser/Package.swift" ] || die "$parser is missing (swift build resolves it)"
echo "release: man page (swift-argument-parser's generate-manual)" >&2
"$SWIFT" build --package-path "$parser" --scratch-path "$root/.build/generate-manual" --product generate-manual >&2
generate_manual="$("$SWIFT" build --package-path "$parser" --scratch-path "$root/.build/generate-manual" --show-bin-path)/generate-manual"
date="$(git log -1 --format=%cs 2>/dev/null || date -u +%Y-%m-%d)"
manual="$root/.build/manual"
rm -rf "$manual" && mkdir -p "$manual"
"$generate_manual" "$bin" --date "$date" --section 1 --output-directory "$manual" >&2
[ -s "$manual/netpol-lint.1" ] || die "generate-manual wrote no $manual/netpol-lint.1"

# --- Stage ---------------------------------------------------------------------------------------------------------
rm -rf "$stage" "$dist/$name.tar.gz" "$dist/$name.tar.gz.sha256"
mkdir -p "$stage/bin" "$stage/share/man/man1" "$stage/share/bash-completion/completions" \
         "$stage/share/zsh/site-functions" "$stage/share/fish/vendor_completions.d"
strip -o "$stage/bin/netpol-lint" "$bin" 2>/dev/null || cp "$bin" "$stage/bin/netpol-lint"
chmod 0755 "$stage/bin/netpol-lint"
cp "$manual/netpol-lint.1" "$stage/share/man/man1/netpol-lint.1"
"$stage/bin/netpol-lint" --generate-completion-script bash > "$stage/share/bash-completion/completions/netpol-lint"
"$stage/bin/netpol-lint" --generate-completion-script zsh > "$stage/share/zsh/site-functions/_netpol-lint"
"$stage/bin/netpol-lint" --generate-completion-script fish > "$stage/share/fish/vendor_completions.d/netpol-lint.fish"
cp LICENSE README.md CHANGELOG.md "$stage/"
find "$stage" -type f ! -path '*/bin/*' -exec chmod 0644 {} +

# --- Archive: same commit, same bytes (sorted names, fixed owner and times, gzip without a timestamp) --------------
epoch="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
tar -C "$dist" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" \
  | gzip -9n > "$dist/$name.tar.gz"
(cd "$dist" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")

echo "release: $dist/$name.tar.gz ($(du -h "$dist/$name.tar.gz" | cut -f1); binary $(du -h "$stage/bin/netpol-lint" | cut -f1))" >&2
echo "release: $(cat "$dist/$name.tar.gz.sha256")" >&2
glibc="$(objdump -T "$stage/bin/netpol-lint" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1 || true)"
echo "release: runs on glibc ${glibc#GLIBC_} or newer (the newest glibc symbol version it uses; docs/install.md)" >&2
echo "$dist/$name.tar.gz"
