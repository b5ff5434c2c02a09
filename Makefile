# One task runner for people and CI (.ci/run calls `make test`).
#   make setup   virtualenv, the project (editable, dev extras), Kafka jars, PostgreSQL binaries
#   make test    setup, browser for the page test, lint (fails the run; LINT=warn only reports), services, migrations, pytest
#   make lint    ruff, ruff format --check, mypy, import-linter
#   make run     setup, then the demo: the whole stack and a live on-sale (Ctrl-C stops it)
#   make down    stop a detached stack and the local services (data stays in var/)
#   make bench-tools  wrk, the command benchmark's load generator (python -m benchmarks.commands)
#   make monitoring-tools  promtool, which checks and unit-tests the alert rules (infra/monitoring/)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.boxoffice-installed

.PHONY: setup browser bench-tools monitoring-tools test lint run down

setup: $(STAMP)
	@$(BIN)/boxoffice infra install

# Reinstalled only when pyproject.toml changes, so a second `make setup` is quiet and quick.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "installing boxoffice and its dev tools into $(VENV)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

browser:
	@scripts/install-browser.sh

bench-tools:
	@scripts/install-bench-tools.sh

monitoring-tools:
	@scripts/install-monitoring-tools.sh

test: setup browser bench-tools monitoring-tools
	@scripts/test.sh $(PYTEST_ARGS)

lint: setup
	@scripts/lint.sh

run: setup
	@$(BIN)/boxoffice demo $(DEMO_ARGS)

down:
	@$(BIN)/boxoffice down --infra
