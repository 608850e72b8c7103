# OpenIOP: `make run` serves the demo, `make test` runs every check. Nothing else is needed.
SHELL := /bin/bash
.DEFAULT_GOAL := run
PORT ?= 8000
# Test processes: one per core (each gets its own test database).
TEST_WORKERS ?= 2
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first Python >= 3.12 on PATH or under pyenv.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null) $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: run test setup lint typecheck migrations-check pytest clean lock

$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "OpenIOP needs Python 3.12 or newer: apt-get install python3 (Debian 13+) or install one with pyenv." >&2; exit 1; }
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

setup: $(STAMP)
	@mkdir -p var

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) -m openiop.lib.serve --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy openiop

migrations-check: setup
	$(PY) manage.py makemigrations --check --dry-run

pytest: setup
	bash scripts/ensure-test-deps
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

clean:
	rm -rf $(VENV) var

# Re-pin requirements.lock from the venv after changing dependencies in pyproject.toml.
lock: setup
	$(VENV)/bin/pip freeze --exclude-editable > requirements.lock
