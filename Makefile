# seg-widget — developer and CI entry points.
#
#   make test           setup, lint, Python tests, browser tests (the one test command; CI runs it)
#   make setup          idempotent install: Debian chromium, pip install -e '.[test]', npm ci in js/
#   make lint           ruff check + ruff format --check
#   make test-python    pytest
#   make test-js        node --test js/unit (the input layer's pure functions; node only, no npm)
#   make test-browser   Galata/Playwright tests in js/tests (real JupyterLab + Debian chromium)
#   make demo           pip install -e '.[lab]' (the package and JupyterLab only), then the quickstart
#
# One browser test by hand: scripts/run-browser-tests tests/smoke.spec.ts -g 'drag'

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python
CHROMIUM ?= /usr/bin/chromium

# Never let npm/Playwright try to download a browser; never let apt ask a question.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export DEBIAN_FRONTEND := noninteractive

.PHONY: help test setup setup-chromium setup-python setup-js lint test-python test-js test-browser demo

help:
	@sed -n '3,10p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

# Sequential on purpose (also under `make -j`); stops at the first failing step.
test:
	$(MAKE) setup
	$(MAKE) lint
	$(MAKE) test-python
	$(MAKE) test-js
	$(MAKE) test-browser

setup: setup-chromium setup-python setup-js

setup-chromium:
	@if [ -x "$(CHROMIUM)" ]; then \
	  echo "chromium: $(CHROMIUM) present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "chromium: installing Debian's chromium"; \
	  apt-get update -q && apt-get install -y -q chromium </dev/null; \
	else \
	  echo "error: $(CHROMIUM) is missing. Install Debian's chromium as root:" >&2; \
	  echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2; \
	  echo "(or point CHROMIUM=/path/to/chromium at another build)" >&2; \
	  exit 1; \
	fi

setup-python:
	$(PYTHON) -m pip install --disable-pip-version-check --root-user-action=ignore -q -e '.[test]'

# npm ci only when the lock file or package.json changed since the last install.
setup-js: js/node_modules/.seg-widget-installed

js/node_modules/.seg-widget-installed: js/package.json js/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm (Node.js >= 20) is required" >&2; exit 1; }
	cd js && npm ci --no-audit --no-fund
	@cd js && npm ls @playwright/test playwright-core >/dev/null
	touch $@

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

# pytest exit code 5 = no tests collected: warn, don't fail.
test-python:
	@rc=0; $(PYTHON) -m pytest -q || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "warning: pytest collected no tests" >&2; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# The bundle test runs $(PYTHON) to inline the modules as anywidget receives them.
test-js:
	PYTHON=$(PYTHON) node --test js/unit/

# TMPDIR, HOME and XDG_* point into js/.tmp (see the script), keeping chromium/Playwright/
# jupyter profiles out of the user's home; the type check catches helper misuse in seconds.
test-browser: setup-js
	cd js && ./node_modules/.bin/tsc --noEmit -p .
	PYTHON=$(PYTHON) CHROMIUM_PATH=$(CHROMIUM) scripts/run-browser-tests

# --allow-root only when running as root (JupyterLab refuses root otherwise).
# The demo needs no test or browser-test tooling: the package and JupyterLab (the `lab` extra).
demo:
	$(PYTHON) -m pip install --disable-pip-version-check --root-user-action=ignore -q -e '.[lab]'
	$(PYTHON) -m jupyterlab $$([ "$$(id -u)" = 0 ] && echo --allow-root) notebooks/quickstart.ipynb
