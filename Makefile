PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench gazetteers eval clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vnre demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/vnre eval corpus/gold

bench: $(STAMP)
	$(BIN)/python bench/run.py

gazetteers: $(STAMP)
	$(BIN)/python gazetteers/build.py

clean:
	rm -rf $(VENV) out
