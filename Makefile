# The two commands: `make run` (set up, demo data, serve) and `make test` (set up, check, test).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: setup run test lint format typecheck pytest system-packages messages bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	@scripts/ensure-packages msgfmt:gettext
	cd defus && ../$(BIN)/django-admin compilemessages --ignore=.venv -v0

run: setup
	$(BIN)/defus migrate --noinput -v0
	$(BIN)/defus demo
	@echo "Serving http://$(HOST)  (logins: see README.md)"
	DEBUG=1 $(BIN)/defus runserver $(HOST)

# Debian packages the tests need: Chromium (browser tests), poppler-utils (reading
# generated PDFs), gettext (translations), PSPP (reads our SPSS exports back) and R's survey
# package (the reference our weights and estimates are compared with); installed when
# missing and we may.
system-packages:
	@scripts/ensure-packages chromium:chromium pdftotext:poppler-utils msgfmt:gettext pspp:pspp Rscript:r-cran-survey

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: setup
	$(BIN)/mypy defus

pytest: setup system-packages
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m pip install -q -r requirements-bench.txt
	$(BIN)/python bench/fieldwork/run.py
	$(BIN)/python bench/letters/run.py --letters 2000
	$(BIN)/python bench/analysis/run.py
	$(BIN)/python bench/analysis/dashboard.py
	$(BIN)/python bench/site/run.py
	$(BIN)/python bench/network/newsletter.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
