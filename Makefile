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

## make run: install, build the web console when Node.js 20.19+ is here (else say so in one line
## and go on), migrate the database (SQLite under var/ by default), make sure a superadmin exists,
## and serve on 0.0.0.0:$${PORT:-8000}: the console at /, the API under /api/v1/.
run: install console
	$(BIN)/wiwebb -c $(INI) migrate
	$(BIN)/wiwebb -c $(INI) ensure-superuser
	$(BIN)/wiwebb -c $(INI) serve

# The console's build (frontend/dist, which the API serves at /: CONSOLE_DIR), redone only when one
# of its sources changed. rwildcard lists a folder's files and folders recursively, without a shell.
rwildcard = $(foreach d,$(wildcard $(1:=/*)),$(call rwildcard,$(d)) $(d))
CONSOLE_SOURCES := $(call rwildcard,frontend/src frontend/public) \
	$(wildcard frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json frontend/.env \
		frontend/.env.local frontend/.env.production frontend/.env.production.local)

frontend/dist/index.html: frontend/node_modules/.installed frontend/package.json $(CONSOLE_SOURCES)
	cd frontend && npm run build
	touch $@

.PHONY: console
console:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && node -e \
		'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; \
	then $(MAKE) --no-print-directory frontend/dist/index.html; \
	else echo "console: Node.js 20.19+ with npm not found: the web console is not built, make run serves the API alone"; fi

## make test: install and run the whole suite, with the layer contracts and the linter, then the web
## console's tests, its build and its end-to-end tests in Chromium (when Node.js is here; CI requires
## it; see docs/testing.md).
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
frontend-test: install
ifeq ($(NPM),)
	@echo "console: Node.js/npm not found; skipping the web console's tests (they need Node.js 20.19+)"
else
	$(MAKE) --no-print-directory frontend/node_modules/.installed
	cd frontend && npm test && npm run build && npm run e2e
endif

## make bench: seed a fresh PostgreSQL database (BENCH_DATABASE_URL, default a new one on the local
## server) and measure WiWebb under load against a bare floor; see bench/README.md. Installs wrk
## when it can (Debian, as root); without it a Python client drives the load and says so.
.PHONY: bench
bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get install -y -qq wrk >/dev/null 2>&1; } || echo "bench: wrk could not be installed"
	$(BIN)/python -m bench.run

## make bench-instructions: instructions per request of WiWebb and of the floor, counted by
## valgrind (the same figure on every run, whatever the machine's load); see bench/README.md.
.PHONY: bench-instructions
bench-instructions: install
	@command -v valgrind >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get install -y -qq valgrind >/dev/null 2>&1; } || true
	$(BIN)/python -m bench.instructions

unit: install
	$(BIN)/pytest tests/unit

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
