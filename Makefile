# netpol-lint — the README's Quick start uses `make run` and `make test`.
SWIFT ?= swift
FIXTURE ?= Fixtures/homelab

.PHONY: deps build run test bench docs clean release install uninstall

VERSION := $(shell bash scripts/version.sh)
ARCH := $(shell uname -m)
DIST_NAME := netpol-lint-$(VERSION)-linux-$(ARCH)
STAGE := .build/dist/$(DIST_NAME)
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(DESTDIR)$(PREFIX)/bin
MANDIR := $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product netpol-lint

# Lints the bundled example repository and shows its findings (exit status 1 = findings, as expected here).
# Then audits it against its documented baseline (audit/network-baseline.yaml) and writes the audit as an HTML page
# and as markdown under .build/audit/.
run: build
	@cd $(FIXTURE) && ../../.build/release/netpol-lint check . ; status=$$?; \
	  if [ $$status -gt 1 ]; then exit $$status; fi
	@mkdir -p .build/audit
	@if [ -f $(FIXTURE)/audit/network-baseline.yaml ]; then \
	  cd $(FIXTURE) && for f in html md; do \
	    ../../.build/release/netpol-lint audit --spec audit/network-baseline.yaml --format $$f -o ../../.build/audit/report.$$f . 2>/dev/null; \
	    status=$$?; if [ $$status -gt 1 ]; then exit $$status; fi; \
	  done; \
	  ../../.build/release/netpol-lint audit --spec audit/network-baseline.yaml . | sed -n '/^Traffic matrix/,/^Namespaces/p' | sed '$$d'; \
	  echo "audit of $(FIXTURE) against audit/network-baseline.yaml: .build/audit/report.html, .build/audit/report.md"; \
	fi

# Builds everything and runs the whole test suite (installs the browser and Python tools some tests use first;
# those tests skip with a visible message when their tool cannot be installed). A compiler warning fails the build
# (CI runs this target); `make test WERROR=` builds with warnings allowed, e.g. on a newer Swift that deprecates
# something. The tests run from that same build.
# In CI (CI set, as GitHub Actions and .ci/run do) or with RELEASE=1, the release archive is built first, so that
# the release and install tests (Tests/CLITests/ReleaseTests.swift) test it; elsewhere they use the archive of an
# earlier `make release`, or say SKIPPED. On 2 cores a release build adds about 3 minutes to a fresh clone's run
# (6 seconds when nothing changed since the last one). RELEASE=0 leaves it out.
RELEASE ?= $(if $(filter-out 0 false,$(CI)),1,0)
WERROR ?= -Xswiftc -warnings-as-errors
test: deps
	@bash scripts/install-test-tools.sh
	@if [ "$(RELEASE)" = 1 ]; then $(MAKE) --no-print-directory release; fi
	$(SWIFT) build --build-tests $(WERROR)
	$(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory test-robustness

# Run by `make test` after the suite: each fuzz target for FUZZ_CI_SECONDS (scripts/fuzz.sh), then the suite under
# AddressSanitizer and the parallel reader's tests under ThreadSanitizer (scripts/sanitizers.sh, in .build-asan and
# .build-tsan). A crash, a sanitizer report or a failing test fails it.
.PHONY: test-robustness fuzz
FUZZ_CI_SECONDS ?= 60
test-robustness: deps
	SWIFT=$(SWIFT) bash scripts/fuzz.sh --seconds $(FUZZ_CI_SECONDS)
	SWIFT=$(SWIFT) bash scripts/sanitizers.sh

# Fuzzes the readers of untrusted input (YAML, model, whole engine, configuration, audit spec) with libFuzzer and
# AddressSanitizer, FUZZ_SECONDS per target; an input that fails is kept in Tests/Fuzz/Regressions/ for the tests.
FUZZ_SECONDS ?= 300
fuzz: deps
	SWIFT=$(SWIFT) bash scripts/fuzz.sh --seconds $(FUZZ_SECONDS)

bench: build
	bash benchmarks/run.sh
	bash benchmarks/audit.sh
	bash benchmarks/diff.sh
	bash benchmarks/lsp.sh

# Regenerates docs/rules/ from the rule metadata (a test fails when they are stale).
docs:
	$(SWIFT) run netpol-lint generate-docs --output docs/rules

# The release archive: .build/dist/netpol-lint-<version>-linux-<arch>.tar.gz and its .sha256, a program that needs
# neither Swift nor libyaml nor PCRE2 where it runs, with man page, shell completions, LICENSE, README, CHANGELOG.
release: deps
	@bash scripts/release.sh >/dev/null

# Installs what `make release` staged (building it when absent): `make release && sudo make install`.
# PREFIX (default /usr/local) and DESTDIR (a staging root for packagers) as usual.
install:
	@if [ ! -x $(STAGE)/bin/netpol-lint ]; then $(MAKE) --no-print-directory release; fi
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 0755 $(STAGE)/bin/netpol-lint $(BINDIR)/netpol-lint
	install -m 0644 $(STAGE)/share/man/man1/netpol-lint.1 $(MANDIR)/netpol-lint.1
	install -m 0644 $(STAGE)/share/bash-completion/completions/netpol-lint $(BASHDIR)/netpol-lint
	install -m 0644 $(STAGE)/share/zsh/site-functions/_netpol-lint $(ZSHDIR)/_netpol-lint
	install -m 0644 $(STAGE)/share/fish/vendor_completions.d/netpol-lint.fish $(FISHDIR)/netpol-lint.fish

uninstall:
	rm -f $(BINDIR)/netpol-lint $(MANDIR)/netpol-lint.1 $(BASHDIR)/netpol-lint $(ZSHDIR)/_netpol-lint \
	  $(FISHDIR)/netpol-lint.fish

clean:
	rm -rf .build benchmarks/out
