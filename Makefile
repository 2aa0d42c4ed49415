# Set-up and entry points. `make quickstart`, `make test` and `make test-all` each create the virtualenv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CODESTILTS_DATA ?= $(abspath ../shared/data)
export CODESTILTS_DATA

.PHONY: venv quickstart test test-all clean

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

# The fast tests: everything not marked slow.
test: venv
	$(BIN)/python -m pytest -q -m "not slow"

# Every test, the slow ones too (real data, many training steps, subprocess runs): what CI runs.
test-all: venv
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) runs .pytest_cache
