# VaxFlow. Two commands do everything from a fresh clone:
#   make up     install what is missing, start the local stack, print what runs where
#   make test   the same, then the whole test suite against the running stack
# Needs: Debian with apt, Python 3.11, Java 17+, Maven, Go 1.24+ (see README).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
# kustomize for the deployment tests (tests/deploy), built from the Go module proxy into .stack/bin.
KUSTOMIZE_VERSION := v5.5.0
KUSTOMIZE := .stack/bin/kustomize
# Strimzi's custom resource schemas (compiled validators from npm) for the same tests.
STRIMZI_SCHEMAS := tests/deploy/strimzi
APT_PACKAGES := redis-server nginx postgresql fonts-dejavu-core patch chromium
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo -E)
# uv from PATH, else the one `make setup` installs with pip (evaluated when used).
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN = $(UV) run --frozen
# uv must not try to download a Python: there is no internet here, only package registries.
export UV_PYTHON_DOWNLOADS := never

.PHONY: help setup up down status logs test lint checks bench bench-components bench-registration \
	bench-warehouse \
	bench-injection bench-certificate bench-scheduling bench-monitoring fuzz simulate faults

help:
	@echo "make up                start the local stack (Kafka, FerretDB, Redis, gateway on :8080)"
	@echo "make test              start the stack, then run the whole test suite against it"
	@echo "make down              stop everything the stack started"
	@echo "make status | logs     what runs, with pids | follow the logs in .stack/logs"
	@echo "make lint              ruff, ruff format --check, mypy, import-linter, bandit"
	@echo "make bench             dose pipeline ramped to saturation, plus component limits (BENCH_ARGS)"
	@echo "make bench-components  raw limits of Kafka, FerretDB, Redis and ECDSA on this machine"
	@echo "make bench-registration  100,000-row CSV import through the registration service"
	@echo "make bench-warehouse   events per second from Kafka into the warehouse's Parquet files (WAREHOUSE_ARGS)"
	@echo "make bench-injection   doses per second and latency of POST /api/v1/doses via the gateway"
	@echo "make bench-certificate  certificates issued, verified and QR codes rendered per second"
	@echo "make bench-scheduling  availability reads and bookings per second, overbooking checked"
	@echo "make bench-monitoring  events per second folded into the live picture, writes per 1,000"
	@echo "make simulate          a short simulated campaign day through the gateway, then checked"
	@echo "make faults            a campaign day under every kind of fault, then proved (10 min)"
	@echo "make setup             install what is missing (apt packages, uv, .venv)"
	@echo "make fuzz              schemathesis against every service's OpenAPI, 200 examples each, then stateful"

setup:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing with apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1; \
	  $(SUDO) apt-get install -y --no-install-recommends $$missing \
	    || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $$missing; }; \
	fi
	@if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then \
	  echo "setup: installing uv $(UV_VERSION) with pip"; \
	  python3 -m pip install --quiet "uv==$(UV_VERSION)" \
	    || python3 -m pip install --quiet --break-system-packages "uv==$(UV_VERSION)"; \
	fi
	$(UV) sync --frozen
	@if [ ! -x $(KUSTOMIZE) ] || ! grep -qx "$(KUSTOMIZE_VERSION)" $(KUSTOMIZE).version 2>/dev/null; then \
	  echo "setup: building kustomize $(KUSTOMIZE_VERSION) with go install"; \
	  mkdir -p .stack/bin; \
	  GOBIN=$(CURDIR)/.stack/bin GOFLAGS=-trimpath \
	    go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION); \
	  echo "$(KUSTOMIZE_VERSION)" > $(KUSTOMIZE).version; \
	fi
	@if [ ! -d $(STRIMZI_SCHEMAS)/node_modules ] \
	    || [ $(STRIMZI_SCHEMAS)/package-lock.json -nt $(STRIMZI_SCHEMAS)/node_modules ]; then \
	  echo "setup: Strimzi's resource schemas for the deployment tests (npm ci)"; \
	  npm ci --prefix $(STRIMZI_SCHEMAS) --no-audit --no-fund --loglevel=error; \
	fi

up: setup
	$(RUN) vaxflow stack up
	$(RUN) vaxflow seed

down:
	$(RUN) vaxflow stack down

status:
	$(RUN) vaxflow stack status

logs:
	tail -n 20 -F .stack/logs/*.log

# The static checks run first: a broken import contract or type error fails the suite.
# pytest exits 5 when it collects no tests: that must fail, like any other non-zero exit.
test: up
	$(MAKE) --no-print-directory checks
	set -a && . .stack/env && set +a && $(RUN) pytest || { \
	  status=$$?; \
	  if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	  exit $$status; }

lint: setup checks

checks:
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy libs/events/src libs/servicekit/src $(wildcard services/*/src) src
	$(RUN) lint-imports
	$(RUN) bandit -q -c pyproject.toml -r libs/events/src libs/servicekit/src $(wildcard services/*/src) src
	$(RUN) vaxflow env-example --check

# The end-to-end benchmark (issue 10): doses through the gateway at 2, 4, 8 ... per second until
# the p99 from dose to certificate passes 2 s or errors appear, with the component limits in the
# same run. Prints JSON, keeps it in .stack/bench/ and appends a dated section to
# docs/benchmarks.md. Not part of `make test`. A short run (a few minutes):
#   make bench BENCH_ARGS="--step-seconds 20 --max-rate 64 --component-scale 0.2"
BENCH_ARGS ?=
bench: up
	set -a && . .stack/env && set +a && $(RUN) python bench/saturation.py $(BENCH_ARGS)

bench-components: up
	set -a && . .stack/env && set +a && $(RUN) python bench/components.py

bench-registration: up
	set -a && . .stack/env && set +a && $(RUN) python bench/registration_import.py

bench-injection: up
	set -a && . .stack/env && set +a && $(RUN) python bench/injection.py

bench-certificate: up
	set -a && . .stack/env && set +a && $(RUN) python bench/certificate.py

# e.g. make bench-warehouse WAREHOUSE_ARGS="--events 300000 --stop-services"
WAREHOUSE_ARGS ?=
bench-warehouse: up
	set -a && . .stack/env && set +a && $(RUN) python bench/warehouse.py $(WAREHOUSE_ARGS)

bench-scheduling: up
	set -a && . .stack/env && set +a && $(RUN) python bench/scheduling.py

bench-monitoring: up
	set -a && . .stack/env && set +a && $(RUN) python bench/monitoring_live.py

# A short campaign day (issue 10): about 100 doses at 2 sites in about a minute and a half.
# Bigger: make simulate SIMULATE_ARGS="--sites 4 --doses 800 --hours 2 --speedup 60".
SIMULATE_ARGS ?= --sites 2 --doses 100 --hours 1 --speedup 60
simulate: up
	set -a && . .stack/env && set +a && $(RUN) vaxflow simulate $(SIMULATE_ARGS)

# A campaign day while processes, Kafka, FerretDB and Redis are killed, paused and stopped,
# poison and replayed messages produced, consumers crashed between effect and commit (issue 11);
# then drained and checked. `make test` runs a short version (tests/faults, run last).
# FAULTS_ARGS="--seed 3 --doses 600 --minutes 10 --faults 20" for a bigger one.
FAULTS_ARGS ?= --seed 1 --doses 400 --minutes 6 --faults 14
faults: up
	set -a && . .stack/env && set +a && $(RUN) vaxflow faults $(FAULTS_ARGS)

# The security fuzzing with many examples (make test runs the same with a few; issue 12).
FUZZ_EXAMPLES ?= 200
# Steps of each stateful sequence (create, then follow the links of the answers).
FUZZ_STEPS ?= 12
fuzz: up
	set -a && . .stack/env && set +a && VAXFLOW_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  VAXFLOW_FUZZ_STATEFUL_STEPS=$(FUZZ_STEPS) \
	  $(RUN) pytest -q tests/security/test_fuzzing.py --timeout 3600
