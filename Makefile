# Two commands on a fresh Debian machine: `make run` and `make test`. Everything else is here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := .make/python.stamp

.PHONY: help install run demo test lint format bench clean

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

run: install
	$(BIN)/loki dashboard start --foreground

demo: install
	$(BIN)/loki-dashboard demo

test: install
	cd backend && ../$(BIN)/pytest

lint: install
	cd backend && ../$(BIN)/ruff check . && ../$(BIN)/ruff format --check . && ../$(BIN)/mypy

format: install
	cd backend && ../$(BIN)/ruff format . && ../$(BIN)/ruff check --fix .

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .make
