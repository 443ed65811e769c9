# The two commands a fresh machine needs:
#   make mnist   train the series' digit recogniser on full MNIST and write its pictures
#   make test    lint, type-check and run the test suite
# Both create .venv and install the project into it first.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out
PRESET ?= 3b1b

# Use the MNIST copy beside the repo when there is one (no internet here);
# otherwise nn.load_mnist uses $MNIST_DIR or its cache and downloads.
ifeq ($(origin MNIST_DIR), undefined)
  ifneq ($(wildcard ../shared/data/mnist/train-images-idx3-ubyte.gz),)
    export MNIST_DIR := $(abspath ../shared/data/mnist)
  endif
endif

.PHONY: mnist test lint typecheck pytest docs docs-serve figures bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,docs]'
	touch $(STAMP)

mnist: $(STAMP)
	$(PY) examples/mnist.py --preset $(PRESET) --out $(OUT)/mnist-$(PRESET)

test: lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(PY) -m pytest -n 2 -q

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

docs-serve: $(STAMP)
	$(VENV)/bin/mkdocs serve

bench: $(STAMP)
	$(PY) benchmarks/scalar.py
	$(PY) benchmarks/mnist_epoch.py

clean:
	rm -rf $(VENV) out site .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Regenerate every figure committed under docs/images (the commands each page names).
figures: $(STAMP)
	$(PY) examples/neuron.py --out docs/images
	$(PY) examples/gradient_descent.py --out docs/images
	$(PY) examples/tour/gradient_magnitudes.py --out docs/images
	$(PY) examples/tour/desires.py --out docs/images
	$(PY) examples/tour/sgd_vs_gd.py --out docs/images
	$(PY) examples/tour/chain_graph.py --out docs/images
	$(PY) examples/tour/teaching.py --out docs/images
	$(PY) examples/tour/attention.py --out docs/images
	$(PY) examples/mnist.py --preset 3b1b --out $(OUT)/mnist-3b1b
	for f in weights confusion misclassified curves; do cp $(OUT)/mnist-3b1b/$$f.png docs/images/mnist-$$f.png; done
