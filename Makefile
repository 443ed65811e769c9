# valuegrad: `make help` lists the targets.
# Every target creates .venv on first use and installs into it only what it needs:
# `make mnist` the library and matplotlib, `make test` the test tools, `make docs` the
# site generator, `make notebooks` Jupyter.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    ?= out
PRESET ?= 3b1b
# `make gpt` has its own presets (default, best); PRESET=best picks its best too.
GPT_PRESET := $(if $(filter best,$(PRESET)),best,default)
EPOCHS ?=
PIP    := $(PY) -m pip install --quiet

.DEFAULT_GOAL := help
.PHONY: help mnist gpt test lint typecheck pytest docs docs-serve figures bench instructions notebooks clean

# ------------------------------------------------------------------ the venv
# A .venv made by another Python (an older one, one since removed or upgraded, or a
# different PYTHON=...) is rebuilt, saying why. Checked only for targets that use it.
NEEDS_VENV := $(filter-out help clean,$(or $(MAKECMDGOALS),$(.DEFAULT_GOAL)))
ifneq ($(NEEDS_VENV),)
  WANT := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
  ifeq ($(WANT),)
    $(error $(PYTHON) not found: install Python >= 3.10 or run `make PYTHON=/path/to/python3 ...`)
  endif
  ifneq ($(shell $(PYTHON) -c 'import sys; print(sys.version_info >= (3, 10))'),True)
    $(error valuegrad needs Python >= 3.10 but $(PYTHON) is $(WANT): run `make PYTHON=python3.11 ...` (or any >= 3.10))
  endif
  ifneq ($(wildcard $(VENV)/pyvenv.cfg),)
    HAVE := $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
    ifneq ($(HAVE),$(WANT))
      $(info .venv was $(if $(HAVE),made by Python $(HAVE),made by a Python that no longer runs), but $(PYTHON) is Python $(WANT): rebuilding .venv)
      $(shell rm -rf $(VENV))
    endif
  endif
endif

# One stamp per group of extras, so each target installs only its own.
$(VENV)/.runtime: pyproject.toml
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON) (Python $(WANT))"; $(PYTHON) -m venv $(VENV); }
	$(PIP) --upgrade pip
	$(PIP) -e '.[plot]'
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PIP) -e '.[plot,dev,docs]'
	@touch $@

$(VENV)/.docs: $(VENV)/.runtime
	$(PIP) -e '.[plot,docs]'
	@touch $@

$(VENV)/.notebooks: $(VENV)/.runtime
	$(PIP) -e '.[plot,notebooks]'
	@touch $@

# ------------------------------------------------------------------ targets

help:  ## list the targets
	@echo "make <target>   (each creates .venv and installs what it needs on first use)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  \1\t/' | expand -t 16
	@echo "variables: PRESET=3b1b|best and EPOCHS=<n> (make mnist; default: the preset's), OUT=out,"
	@echo "           PRESET=best (make gpt; default: the 5-minute one), PYTHON=python3,"
	@echo "           MNIST_DIR=<folder>, SHAKESPEARE_DIR=<folder>"

mnist: $(VENV)/.runtime  ## train the series' digit recogniser on full MNIST (PRESET=best: the accurate one)
	$(PY) examples/mnist.py --preset $(PRESET) --out $(OUT)/mnist-$(PRESET)$(if $(EPOCHS), --epochs $(EPOCHS))

# One BLAS thread: the targets (5 min, 20 min) are for one CPU core.
gpt: $(VENV)/.runtime  ## train a small GPT on Tiny Shakespeare, one core (PRESET=best: the longer one)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  $(PY) examples/gpt.py --preset $(GPT_PRESET) --out $(OUT)/gpt-$(GPT_PRESET)

test: lint typecheck pytest  ## ruff, mypy and the whole test suite

lint: $(VENV)/.dev  ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.dev  ## mypy --strict on autograd and nn
	$(VENV)/bin/mypy

pytest: $(VENV)/.dev  ## the test suite only (2 workers)
	$(PY) -m pytest -n 2 -q

# Built into a temporary folder, then moved into place: a failed build leaves the old
# site/ (or none), never a half-written one.
docs: $(VENV)/.docs  ## build the guided tour into site/ (open site/index.html, no server needed)
	@rm -rf site.building site.old
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site.building \
	  || { rm -rf site.building; echo "make docs: the build failed (above); site/ is unchanged" >&2; exit 1; }
	@if [ -d site ]; then mv site site.old; fi; mv site.building site; rm -rf site.old
	@echo "the site is in site/: open site/index.html"

docs-serve: $(VENV)/.docs  ## serve the guided tour at http://127.0.0.1:8000, rebuilt on every edit
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve

# The benchmarks record into a copy of results.json; only when all of them succeeded is
# it moved into place (one atomic write), so a failed run leaves results.json as it was.
BENCH_COPY := .cache/bench-results.json
bench: $(VENV)/.dev  ## run the benchmarks, record them in benchmarks/results.json, update the README
	@mkdir -p .cache && cp benchmarks/results.json $(BENCH_COPY)
	@cd benchmarks && export VALUEGRAD_RESULTS=../$(BENCH_COPY) && set -x && \
	  ../$(PY) scalar.py --record && \
	  ../$(PY) mnist_epoch.py --record && \
	  ../$(PY) memory.py --record && \
	  ../$(PY) accuracy.py --record && \
	  ../$(PY) deep_chain.py --record && \
	  ../$(PY) explorer_frame.py --record && \
	  ../$(PY) gpt_step.py --record \
	  || { rm -f ../$(BENCH_COPY); echo "make bench: a benchmark failed (above); benchmarks/results.json and README.md are unchanged" >&2; exit 1; }
	$(PY) benchmarks/results.py --commit $(BENCH_COPY)

notebooks: $(VENV)/.notebooks  ## open the example notebooks in JupyterLab
	$(VENV)/bin/jupyter lab examples/notebooks

# Regenerate every figure committed under docs/images (the commands each page names).
# (.dev: the conformance report runs micrograd, a dev dependency, under hypothesis.)
instructions: $(VENV)/.dev  ## instructions per training step (valgrind's cachegrind); BASELINE=<checkout> compares and records
	$(PY) benchmarks/instructions.py $(if $(BASELINE),--compare $(BASELINE) --record)
	$(if $(BASELINE),$(PY) benchmarks/results.py)

figures: $(VENV)/.dev  ## redraw every figure in docs/images and report in docs/reports (then `git diff` shows what changed)
	$(PY) examples/neuron.py --out docs/images
	$(PY) examples/gradient_descent.py --out docs/images
	$(PY) examples/tour/gradient_magnitudes.py --out docs/images
	$(PY) examples/tour/desires.py --out docs/images
	$(PY) examples/tour/sgd_vs_gd.py --out docs/images
	$(PY) examples/tour/chain_graph.py --out docs/images
	$(PY) examples/tour/teaching.py --out docs/images
	$(PY) examples/tour/attention.py --out docs/images
	$(PY) examples/tour/derivatives.py --out docs/images
	$(PY) examples/gpt.py --figures --checkpoint examples/models/gpt-default.npz --run docs/reports/gpt-default.json --out docs/images
	$(PY) examples/tour/conformance_report.py --out docs/reports
	$(PY) examples/mnist.py --preset 3b1b --out $(OUT)/mnist-3b1b
	for f in weights confusion misclassified curves; do cp $(OUT)/mnist-3b1b/$$f.png docs/images/mnist-$$f.png; done
	cp $(OUT)/mnist-3b1b/model.npz examples/models/mnist-3b1b.npz
	$(PY) examples/explorer.py --screenshot docs/images/explorer.png

clean:  ## remove .venv, out/, site/ and the tools' caches
	rm -rf $(VENV) $(OUT) site site.building site.old .pytest_cache .mypy_cache .ruff_cache .hypothesis
