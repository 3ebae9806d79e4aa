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

## make test: install and run the whole suite, with the layer contracts and the linter.
test: install
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
