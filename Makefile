# The two commands: `make up` (set up + apply stacks/local.yaml on the embedded emulator) and
# `make test` (set up + the whole suite). Everything else is a step they use.
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
export PATH := $(CURDIR)/tools/bin:$(BIN):$(PATH)

.PHONY: setup python engine redis up test bench lint down clean

setup: python engine

python: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

engine:
	bash tools/pulumi.sh

redis:
	bash tools/ensure-redis.sh

up: setup
	$(BIN)/didww-iac up --stack local

test: setup redis
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks

lint: python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

down:
	-$(BIN)/didww-iac emulator-stop

clean: down
	rm -rf .state .emulator tools/bin
