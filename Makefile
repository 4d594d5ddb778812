# netpol-lint — the README's Quick start uses `make run` and `make test`.
SWIFT ?= swift
FIXTURE ?= Fixtures/homelab

.PHONY: deps build run test bench docs clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product netpol-lint

# Lints the bundled example repository and shows its findings (exit status 1 = findings, as expected here).
run: build
	@cd $(FIXTURE) && ../../.build/release/netpol-lint check . ; status=$$?; \
	  if [ $$status -gt 1 ]; then exit $$status; fi

# Builds everything and runs the whole test suite (installs the browser and Python tools some tests use first;
# those tests skip with a visible message when their tool cannot be installed).
test: deps
	@bash scripts/install-test-tools.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test

bench: build
	bash benchmarks/run.sh

# Regenerates docs/rules/ from the rule metadata (a test fails when they are stale).
docs:
	$(SWIFT) run netpol-lint generate-docs --output docs/rules

clean:
	rm -rf .build benchmarks/out
