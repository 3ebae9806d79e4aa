# The two commands that do all set-up on a fresh machine: `make run` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INI ?= development.ini
STAMP := $(VENV)/.installed

.PHONY: run test install lint unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the database (SQLite under var/ by default), make sure a superadmin
## exists, and serve the API on 0.0.0.0:$${PORT:-8000}.
run: install
	$(BIN)/wiwebb -c $(INI) migrate
	$(BIN)/wiwebb -c $(INI) ensure-superuser
	$(BIN)/wiwebb -c $(INI) serve

## make test: install and run the whole suite, with the layer contracts and the linter, then the web
## console's tests and build (when Node.js is here; CI requires it).
test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest
	$(MAKE) --no-print-directory frontend-test

NPM := $(shell command -v npm 2>/dev/null)

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

.PHONY: frontend-test
frontend-test:
ifeq ($(NPM),)
	@echo "console: Node.js/npm not found; skipping the web console's tests (they need Node.js 20.19+)"
else
	$(MAKE) --no-print-directory frontend/node_modules/.installed
	cd frontend && npm test && npm run build
endif

## make bench: seed a fresh PostgreSQL database (BENCH_DATABASE_URL, default a new one on the local
## server) and measure WiWebb under load against a bare floor; see bench/README.md. Installs wrk
## when it can (Debian, as root); without it a Python client drives the load and says so.
.PHONY: bench
bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get install -y -qq wrk >/dev/null 2>&1; } || echo "bench: wrk could not be installed"
	$(BIN)/python -m bench.run

unit: install
	$(BIN)/pytest tests/unit

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
