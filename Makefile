# ppda — everything a fresh machine needs is installed from here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ppda
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: help system venv deps assets services run test lint bench clean

help:
	@echo "make run    - install everything, seed the demo force, serve http://127.0.0.1:8000 (+ worker, beat)"
	@echo "make test   - install everything and run the whole suite"
	@echo "make lint   - ruff"
	@echo "make bench  - force-scale benchmarks (wrk; appends to bench/results/history.jsonl, rewrites README's table)"

# Debian packages: Redis if absent, Chromium for browser tests, harfbuzz-subset and pango for WeasyPrint, wrk
# for make bench. Re-run when the list changes, so a machine set up before a package was added gets it too.
system: .make/system
.make/system: bin/install-system
	@bash bin/install-system
	@mkdir -p .make && touch $@

$(PY):
	@bash bin/make-venv $(PYTHON_VERSION) $(VENV)

venv: $(PY)

deps: .make/deps
.make/deps: pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	@mkdir -p .make && touch $@

# npm packages pinned by package-lock.json; static/vendor/ is rebuilt when they or our Sass change.
assets: static/vendor/app.css
node_modules/.package-lock.json: package.json package-lock.json
	@npm ci --silent --no-audit --no-fund
	@touch $@
static/vendor/app.css: node_modules/.package-lock.json bin/vendor-assets $(wildcard static/scss/*.scss)
	@bash bin/vendor-assets

services: system deps
	@$(PY) bin/check-services

run: system deps assets services
	@bash bin/run

test: system deps assets services
	@$(VENV)/bin/ruff check .
	@DJANGO_SETTINGS_MODULE=ppda.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: system deps assets services
	@bash bench/run

clean:
	rm -rf .make $(VENV) node_modules staticfiles
