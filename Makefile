# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint clean

$(BIN)/warning: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(BIN)/warning

install: $(BIN)/warning

demo: install
	$(BIN)/warning demo

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check warning tests benchmarks
	$(BIN)/ruff format --check warning tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
