# Set-up and entry points. `make quickstart` and `make test` each create the virtualenv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CODESTILTS_DATA ?= $(abspath ../shared/data)
export CODESTILTS_DATA

.PHONY: venv quickstart test test-fast clean

$(BIN)/codestilts: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

venv: $(BIN)/codestilts

# Embedded data only: it runs with no data folder, so none is passed on.
quickstart: venv
	env -u CODESTILTS_DATA $(BIN)/codestilts run examples/quickstart.yaml --out runs/quickstart

test: venv
	$(BIN)/python -m pytest -q

test-fast: venv
	$(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) runs .pytest_cache
