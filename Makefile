# Samleng: the two commands of the quick start, and the tools behind them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
CATALOG := grievance/translations

.PHONY: run test test-fast install install-dev translations ffmpeg lint typecheck fmt bench messages screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations:
	$(BIN)/pybabel compile -d $(CATALOG) -D messages

## make ffmpeg: Debian's ffmpeg, installed when missing (as .ci/run installs Chromium). It makes
## voice notes playable in a job, and the tests record notes with it; without it the app
## still runs and officers get notes as they came.
ffmpeg:
	@command -v ffmpeg >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; \
	  else echo "ffmpeg is missing (sudo apt-get install ffmpeg): voice notes play as they came"; fi; }

## make run: set up and serve the demo on http://127.0.0.1:5000 (SQLite, in-process jobs)
run: install translations ffmpeg
	$(BIN)/flask db upgrade heads
	$(BIN)/flask seed demo
	@echo "Demo logins (username, password):"
	@$(BIN)/flask seed logins
	SLA_TIMER=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: lint, type-check and run the whole test suite with coverage (what CI runs);
## fails under the coverage floor of pyproject.toml ([tool.coverage.report] fail_under)
test: install-dev translations ffmpeg lint typecheck
	$(BIN)/python -m pytest --cov --cov-report= $(PYTEST_ARGS)

## make test-fast: the inner loop: unit tests only (no browser, real processes or slow tests)
test-fast: install-dev translations ffmpeg
	$(BIN)/python -m pytest -m "not browser and not system and not slow" $(PYTEST_ARGS)

## make lint: ruff's rules, ruff's formatting (checked, not applied) and the import contracts
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make typecheck: mypy over grievance, workflows, notifications and bench
typecheck: install-dev
	$(BIN)/mypy

## make fmt: format the code and apply ruff's safe fixes
fmt: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make bench SCALE=10k|100k|1m: the benchmark suite on PostgreSQL (docs/performance.md)
SCALE ?= 10k
bench: install-dev
	$(BIN)/python -m bench --scale $(SCALE)

## make messages: re-extract strings and update the catalogues after changing text
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -o $(CATALOG)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOG)/messages.pot -d $(CATALOG) -D messages --no-fuzzy-matching

## make screenshots: photograph the main pages (demo data; Khmer and English; phone and desktop)
## into docs/screenshots/ with Debian's Chromium (apt-get install chromium)
screenshots: install-dev translations
	$(BIN)/python -m tests.browser.screenshots --out docs/screenshots
