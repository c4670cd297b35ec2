# Argument graphs from Indonesian IR writing.  `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORPUS ?= corpus
OUT ?= outputs
JOBS ?= 1
UD_DIR ?= ../shared/ud
SHARED ?= ../shared

.DEFAULT_GOAL := help
.PHONY: help setup extract test eval train models bench bench-nlp lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU-only PyTorch first, so nothing pulls a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed ## create .venv and install the project (CPU-only torch)

extract: $(VENV)/.installed ## write one JSONL argument graph per document: CORPUS=corpus OUT=outputs JOBS=1
	$(PY) -m pipeline extract $(CORPUS) -o $(OUT) -j $(JOBS)

test: $(VENV)/.installed ## run the test suite
	$(PY) -m pytest -q

lint: $(VENV)/.installed ## ruff over the code
	$(VENV)/bin/ruff check pipeline tests scripts
