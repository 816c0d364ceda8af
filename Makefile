# The two commands: `make up` (set up + apply stacks/local.yaml on the embedded emulator) and
# `make test` (set up + the whole suite). Everything else is a step they use.
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
export PATH := $(CURDIR)/tools/bin:$(BIN):$(PATH)

.PHONY: setup python engine redis postgres up test bench lint down clean

setup: python engine

python: $(VENV)/.installed

# The locked install: every package (pip and the build backend too) at the version and hashes of
# requirements-dev.lock, then this package itself. Re-done when the lock or pyproject.toml changes.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e .
	touch $@

# Rewrites requirements.lock (runtime) and requirements-dev.lock (+ tests and lint) from
# pyproject.toml, keeping every pin that still fits; `make lock LOCK_ARGS=--upgrade` moves all of
# them to the newest allowed, `LOCK_ARGS='--upgrade-package httpx'` one.
.PHONY: lock
LOCK_FLAGS = --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command 'make lock' $(LOCK_ARGS)
lock: python
	$(BIN)/uv pip compile pyproject.toml tools/lock/build.in $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml tools/lock/build.in --extra dev -c requirements.lock $(LOCK_FLAGS) -o requirements-dev.lock

engine:
	bash tools/pulumi.sh

redis:
	bash tools/ensure-redis.sh

# A throwaway PostgreSQL cluster (.state/postgres) for the shared-state tests; reused while it runs.
postgres:
	bash tools/ensure-postgres.sh

up: setup
	$(BIN)/didww-iac up --stack local

test: setup redis postgres
	$(BIN)/python -m pytest

# The emulator against DIDWW's own OpenAPI document (../shared/reference/, beside the checkout):
# property-based requests from schemathesis, every answer checked (tools/conformance/).
.PHONY: conformance
conformance: setup
	$(BIN)/python -m tools.conformance

bench: setup
	$(BIN)/python -m benchmarks

lint: python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy tools/conformance
	bash tools/actionlint.sh -shellcheck=$(BIN)/shellcheck examples/gitops/github-actions.yml

down:
	-$(BIN)/didww-iac emulator-stop
	-bash tools/ensure-postgres.sh --stop

clean: down
	rm -rf .state .emulator tools/bin
