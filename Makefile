# Two commands on a fresh Debian machine: `make run` and `make test`. Everything else is here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := .make/python.stamp

.PHONY: help install web chromium run demo test test-web lint format bench clean

help:
	@echo "make run    install everything and start the dashboard (foreground, SQLite)"
	@echo "make demo   like run, with a demo project and a live simulated run"
	@echo "make test   install everything and run the whole test suite"
	@echo "make lint   ruff + mypy"
	@echo "make bench  print benchmark figures"

# System packages a fresh Debian machine may lack (only when missing; needs root).
.make/system.stamp:
	@mkdir -p .make
	@if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then \
		apt-get update -q && apt-get install -y -q python3-venv python3-pip; fi
	@touch $@

$(STAMP): backend/pyproject.toml .make/system.stamp
	@mkdir -p .make
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e "backend[dev]"
	@touch $@

install: $(STAMP)

# The web app: npm packages from the lock file, then a Vite build into the Python package
# (backend/src/loki_dashboard/static), which the server serves at /.
WEB_STAMP := frontend/node_modules/.install.stamp
WEB_BUILT := backend/src/loki_dashboard/static/index.html
WEB_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html \
	frontend/vite.config.ts frontend/tsconfig.json frontend/package-lock.json

# Vite needs Node 20.19+: Debian's nodejs is tried when none is installed (Debian 13 has 20.19;
# Debian 12's 18 is too old), then the version is checked so an old one stops here, clearly.
NODE_MIN := 20.19
$(WEB_STAMP): frontend/package-lock.json .make/system.stamp
	@command -v npm >/dev/null || { apt-get update -q && apt-get install -y -q nodejs npm; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number),[x,y]="$(NODE_MIN)".split(".").map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)' \
		|| { echo "Node $$(node --version) is too old: the web app's build (Vite) needs Node $(NODE_MIN) or newer. Install it (for example from NodeSource or nvm) and run make again." >&2; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_BUILT): $(WEB_STAMP) $(WEB_SOURCES)
	cd frontend && npm run build --silent

web: $(WEB_BUILT)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads one).
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

run: install web
	$(BIN)/loki dashboard start --foreground

demo: install web
	$(BIN)/loki-dashboard demo

# The browser tests run on their own: Playwright's sync API keeps an event loop on the main
# thread, which the asyncio tests must not share.
test: install web chromium test-web
	cd backend && ../$(BIN)/pytest --ignore=tests/e2e
	cd backend && ../$(BIN)/pytest tests/e2e

test-web: $(WEB_STAMP)
	cd frontend && npx vitest run

lint: install $(WEB_STAMP)
	cd backend && ../$(BIN)/ruff check . && ../$(BIN)/ruff format --check . && ../$(BIN)/mypy
	cd frontend && npx biome check src && npx tsc --noEmit -p .

format: install
	cd backend && ../$(BIN)/ruff format . && ../$(BIN)/ruff check --fix .

bench: install web chromium
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .make frontend/node_modules backend/src/loki_dashboard/static
