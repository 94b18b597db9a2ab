# teeth: prove that blocking-IO regression tests have teeth.
#
#   make verify-teeth                 run teeth on the bundled example backend
#   make verify-teeth PROJECT=path    run teeth on any project
#   make test                         vet and run every test (needs the venv: made here)
#   make dist                         release archives and wheels in dist/ (VERSION=v1.2.3 to override)

PROJECT ?= testdata/example
EXAMPLE := testdata/example
VENV    := $(EXAMPLE)/.venv
GO      ?= go
# The build's version, stamped into main.version ("teeth version"): git
# describe, or VERSION=v1.2.3. The wheels carry its PEP 440 form.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
# Every archive member's timestamp: the last commit's time.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
# Blockbuster 1.5.27 beside the pinned one, for the suite-wide fixture
# (testdata/suitewide): its read check crashes on a tarfile member, the
# detector crash teeth must tell apart. Put first on PYTHONPATH by that test.
OLD_BLOCKBUSTER := $(VENV)/blockbuster-1.5.27
# The example's venv uses Python 3.12 when the machine has it, else python3.
BASE_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) \
	$(shell command -v python3.12 2>/dev/null) $(shell command -v python3 2>/dev/null))

.PHONY: all build venv tools verify-teeth test fuzz bench clean dist

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/teeth .

# The example backend's venv: pinned pytest, pytest-asyncio and blockbuster,
# and its storekit library installed editable (the sandbox import hazard).
venv: $(VENV)/.teeth-ready $(OLD_BLOCKBUSTER)/.teeth-ready

$(OLD_BLOCKBUSTER)/.teeth-ready: $(VENV)/.teeth-ready
	rm -rf $(OLD_BLOCKBUSTER)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --target $(OLD_BLOCKBUSTER) blockbuster==1.5.27
	touch $@

$(VENV)/.teeth-ready: testdata/requirements.txt $(EXAMPLE)/packages/storekit/pyproject.toml
	rm -rf $(VENV)
	$(BASE_PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r testdata/requirements.txt
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-build-isolation -e $(EXAMPLE)/packages/storekit
	touch $@

# On the bundled example teeth exits 1 by design: the example holds an anchor
# for every verdict, most of them without teeth.
verify-teeth: venv build
	@status=0; ./bin/teeth verify $(TEETH_FLAGS) $(PROJECT) || status=$$?; \
	if [ "$(PROJECT)" = "$(EXAMPLE)" ] && [ $$status -eq 1 ]; then \
		echo "(the bundled example shows every verdict on purpose, so teeth exits 1 on it)"; status=0; fi; \
	exit $$status

# System tools the tests need, as command:Debian-package: git (changed-only
# runs, teeth apply), xmllint (the JUnit schema check), chromium (the HTML
# report is rendered headless) and shellcheck (the action's script, through
# actionlint too). Missing ones are installed with apt-get when make runs as
# root on Debian; otherwise make stops and names the packages.
TEST_TOOLS ?= git:git xmllint:libxml2-utils chromium:chromium shellcheck:shellcheck

tools:
	@missing=""; for t in $(TEST_TOOLS); do \
		command -v "$${t%%:*}" >/dev/null 2>&1 || missing="$$missing $${t#*:}"; done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "make: installing$$missing with apt-get"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null && exit 0; \
		echo "make: apt-get could not install$$missing" >&2; exit 1; fi; \
	echo "make: the tests need the packages$$missing: sudo apt-get install$$missing (or your system's equivalent)" >&2; exit 1

test: tools venv
	$(GO) vet ./...
	test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"
	$(GO) test -race -count=1 ./...

fuzz:
	$(GO) test ./mutate -run '^$$' -fuzz FuzzApply -fuzztime 60s

clean:
	rm -rf bin dist $(VENV)

# Times the naive SOP loop and teeth (default, -j 1, --no-warm,
# --no-prove-rules) on synthetic backends: BENCH_FLAGS=-profile=uniform|realistic
# (default both, about 30 minutes on 2 cores; -naive=false leaves the naive
# loop out, -skip-naive reuses its last figure); BENCH_JSON=path also writes
# the figures as JSON.
bench: venv build
	$(GO) run ./tools/bench -teeth bin/teeth -python $(VENV)/bin/python $(BENCH_FLAGS)

# Release artefacts in dist/ (CGO_ENABLED=0 cross builds, reproducible): for
# linux and darwin on amd64 and arm64, teeth_VERSION_OS_ARCH.tar.gz (the binary
# and README.md) and the platform wheel teeth-PEP440-py3-none-TAG.whl that
# pip, uv and pipx install; and SHA256SUMS.
dist:
	rm -rf dist
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(GO) run ./tools/release -version $(VERSION) -out dist
