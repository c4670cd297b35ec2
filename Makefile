# Argument graphs from Indonesian IR writing.  `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORPUS ?= corpus
OUT ?= outputs
JOBS ?= 1
# make train / make eval: folds fitted at once (each process about 1.2 GB)
TRAIN_JOBS ?= 2
EVAL_JOBS ?= 2
SCHEDULER ?=
UD_DIR ?= ../shared/ud
SHARED ?= ../shared

.DEFAULT_GOAL := help
.PHONY: help setup extract test eval train models eval-nlp bench bench-nlp bench-ingest lint clean layouts layout-tools browser-tools test-slow bench-long

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

extract: $(VENV)/.installed ## write one JSONL argument graph per document: CORPUS=corpus OUT=outputs JOBS=1 [SCHEDULER=local|tcp://host:8786]
	$(PY) -m pipeline extract $(CORPUS) -o $(OUT) -j $(JOBS) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

bench: $(VENV)/.installed ## time the pipeline over the seed and $(SHARED)/corpus, then a whole thesis (see BENCH.md)
	$(PY) benchmarks/bench.py --shared $(SHARED)
	$(PY) benchmarks/bench_cluster.py --shared $(SHARED)
	$(PY) benchmarks/bench_ingest.py --shared $(SHARED)
	$(PY) benchmarks/bench_long.py --shared $(SHARED)

bench-long: $(VENV)/.installed ## a ~90-page PDF: seconds per stage, pipeline/Stanza ratio, 1x/2x/4x growth, peak RSS
	$(PY) benchmarks/bench_long.py --shared $(SHARED)

train: $(VENV)/.installed ## fit the claim/evidence models on corpus/gold into models/argument (cached stages in build/; TRAIN_JOBS processes)
	SHARED_DIR=$(SHARED) $(PY) -m pipeline.train --jobs $(TRAIN_JOBS)

eval: $(VENV)/.installed ## leave-one-document-out scores of the argument stages -> models/argument/EVAL.md (EVAL_JOBS processes)
	SHARED_DIR=$(SHARED) $(PY) -m pipeline.evaluate --jobs $(EVAL_JOBS)

test: $(VENV)/.installed ## run the test suite
	$(PY) -m pytest -q

test-slow: $(VENV)/.installed ## the slow tests (wheel build and install, model fits); CI runs them after make test
	$(PY) -m pytest -q -m slow

LAYOUT_PACKAGES := libreoffice-writer-nogui texlive-latex-recommended poppler-utils

layout-tools: ## install LibreOffice, pdflatex and pdftotext (Debian packages) for the layout tests, if missing
	@if command -v soffice >/dev/null && command -v pdflatex >/dev/null && command -v pdftotext >/dev/null; then \
		echo "layout tools present"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$(LAYOUT_PACKAGES) >/dev/null; \
	fi

browser-tools: ## install Debian's chromium for the headless-browser test of the HTML report, if missing
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then \
		echo "chromium present"; \
	else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium >/dev/null; \
	fi

layouts: $(VENV)/.installed ## typeset the seed as Word/LaTeX/two-column/skripsi PDFs, DOCX and pdftotext text into build/layouts
	$(PY) scripts/build_layouts.py $(SHARED)/corpus/000_b7960c56fa7a1039.txt build/layouts

lint: $(VENV)/.installed ## ruff over the code
	$(VENV)/bin/ruff check pipeline tests scripts

models: $(VENV)/.installed ## train the Stanza Indonesian models into models/stanza/id: UD_DIR=../shared/ud (~2-3 h, 2 CPU cores)
	UD_DIR=$(UD_DIR) $(PY) scripts/train_stanza.py all

eval-nlp: $(VENV)/.installed ## CoNLL 2018 scores of models/stanza/id on UD GSD test, from raw text: UD_DIR=../shared/ud
	UD_DIR=$(UD_DIR) $(PY) scripts/train_stanza.py eval

bench-ingest: $(VENV)/.installed ## seconds per 100 pages of the PDF reader on a ~90-page LibreOffice PDF of $(SHARED)/corpus
	$(PY) benchmarks/bench_ingest.py --shared $(SHARED)

bench-nlp: $(VENV)/.installed ## tokens/s of the Stanza stage on the seed article, 1 and 2 threads
	SHARED_DIR=$(SHARED) $(PY) benchmarks/bench_nlp.py
