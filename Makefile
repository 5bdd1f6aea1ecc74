# The commands the README names. `make demo` and `make test` set everything up themselves.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint setup frontend system-deps serve worker bench clean-demo

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) system-deps frontend

# Debian's Chromium for the browser tests (never a downloaded browser), and Dovecot's IMAP
# server for the email-in tests (each test starts its own, with its own config in a
# temporary directory; the package's system service is not used).
system-deps:
	@test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)
	@test -x /usr/sbin/dovecot || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd)

FRONTEND_DEPS := frontend/node_modules/.installed
FRONTEND_BUILD := frontend/dist/index.html

$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_BUILD): $(FRONTEND_DEPS) $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts
	cd frontend && npm run build

frontend: $(FRONTEND_BUILD)

# Set up, migrate, load the demo data, then run the web server and the worker.
demo: $(STAMP) frontend
	$(BIN)/servicedesk demo
	$(BIN)/servicedesk automation import --builtin --skip-existing
	@echo "Web UI and API: http://127.0.0.1:8000  (API docs: http://127.0.0.1:8000/schema)"
	$(BIN)/servicedesk worker & trap 'kill %1' EXIT; $(BIN)/servicedesk serve --host 127.0.0.1 --port 8000

serve: $(STAMP)
	$(BIN)/servicedesk serve

worker: $(STAMP)
	$(BIN)/servicedesk worker

# Every test: Python (API, services, worker, mail, browser end-to-end) and the frontend's.
# DATABASE_URL / QUEUE_URL choose the engines (default: SQLite files).
test: setup
	$(BIN)/pytest
	cd frontend && npm test

lint: $(STAMP) frontend
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/servicedesk openapi > openapi.json
	cd frontend && npm run typecheck && npm run lint && npm run check:api

bench: $(STAMP)
	$(PY) bench/contacts.py
	$(PY) bench/reports.py
	$(PY) bench/campaigns.py

clean-demo:
	rm -f var/servicedesk.db* var/queue.db* var/demo-history.jsonl
