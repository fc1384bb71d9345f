# minitorch course — `make lab` to learn, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# --- which Python -------------------------------------------------------------
# what a Python (3.10 or newer, as pyproject.toml's requires-python) must pass to
# hold the course's .venv
PY_NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 10))
PY_USABLE     := import pip; $(PY_NEW_ENOUGH)

# An active conda env that already has the course installed (environment.yml)
# is used as is; otherwise a local .venv is created and filled once.
CONDA_READY := $(shell [ -n "$$CONDA_PREFIX" ] && "$$CONDA_PREFIX/bin/python" \
                 -c "import minitorch, nbval" >/dev/null 2>&1 && echo yes)
ifeq ($(CONDA_READY),yes)
  PY     := $(CONDA_PREFIX)/bin/python
  PREFIX := $(CONDA_PREFIX)
  STAMP  :=
else
  PY     := .venv/bin/python
  PREFIX := .venv
  STAMP  := .venv/.installed
  # A .venv made before python3-venv was installed has a python but no pip, and
  # one made by a Python older than the course needs cannot install it: either
  # is rebuilt, whatever its stamp says.
  VENV_OK := $(shell .venv/bin/python -c '$(PY_USABLE)' >/dev/null 2>&1 && echo yes)
endif

NOTEBOOKS := $(sort $(wildcard course/[0-9][0-9]_*.ipynb))

# Notebooks are executed and tested with the same environment, so stored and
# fresh outputs match:
# - IPYKERNEL_CELL_NAME gives every cell the file name <IPY-INPUT>, so warnings
#   print the same path on every machine;
# - one BLAS/OpenMP thread: the course's arrays are small (no speed lost), and a
#   float result then does not depend on how many cores the machine has.
RUN_ENV := IPYKERNEL_CELL_NAME='<IPY-INPUT>' OMP_NUM_THREADS=1 \
           OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

NBVAL := -p no:cacheprovider --nbval --nbval-current-env \
         --nbval-sanitize-with course/sanitize.cfg --nbval-cell-timeout=300

.PHONY: help setup venv-rebuild dot lab test test-unit test-browser test-notebooks parity notebooks notebook bench clean

help:
	@echo "needs: python3 3.10 or newer with its venv module, and graphviz's dot program (installed for you when run as root on Debian/Ubuntu); README.md says how"
	@echo
	@echo "make lab         open the course in JupyterLab at notebook 00 (sets everything up first; PORT=8890 picks the port)"
	@echo "make test        run the unit tests, open every notebook in headless chromium, run every notebook under nbval"
	@echo "make notebooks   re-execute every notebook in place (maintainers)"
	@echo "make notebook NB=course/01_numpy_backprop.ipynb   re-execute one"
	@echo "make parity      compare every op with PyTorch on generated inputs (needs torch; not part of make test)"
	@echo "make bench       run every benchmark: bench/results/<machine>.md and its plots (QUICK=1: under a minute; GPU_QUICK=1: short, with the GPU sweeps)"
	@echo "make clean       remove caches and build outputs (keeps .venv)"

# --- setup --------------------------------------------------------------------
setup: $(STAMP) dot

VENV_HELP := python3 cannot make a virtual environment with pip in it. Install \
  Python's venv module (Debian/Ubuntu: sudo apt-get install python3-venv; \
  on some releases python3.X-venv, X your Python's minor version), or use \
  conda (conda env create -f environment.yml), then run make again.

.venv/.installed: pyproject.toml $(if $(VENV_OK),,venv-rebuild)
	@if [ -e .venv ] && ! .venv/bin/python -c 'import pip' >/dev/null 2>&1; then \
	  echo "make: .venv has no pip (made before python3-venv was installed?): rebuilding it"; \
	  rm -rf .venv; fi
	@if [ -e .venv ] && ! .venv/bin/python -c '$(PY_NEW_ENOUGH)' >/dev/null 2>&1; then \
	  echo "make: .venv was made by Python $$(.venv/bin/python -V 2>&1 | cut -d' ' -f2), older than 3.10: rebuilding it"; \
	  rm -rf .venv; fi
	@command -v python3 >/dev/null 2>&1 || { echo "make: no python3 found: install Python 3.10 or newer" >&2; exit 1; }
	@[ -x .venv/bin/python ] || python3 -c '$(PY_NEW_ENOUGH)' || { \
	  echo "make: python3 is Python $$(python3 -V 2>&1 | cut -d' ' -f2); the course needs 3.10 or newer: install one so that python3 runs it, or use conda (conda env create -f environment.yml), then run make again" >&2; exit 1; }
	@[ -x .venv/bin/python ] || python3 -m venv .venv >/dev/null 2>&1 || { \
	  rm -rf .venv; echo "make: $(VENV_HELP)" >&2; exit 1; }
	@.venv/bin/python -c 'import pip' >/dev/null 2>&1 || { \
	  rm -rf .venv; echo "make: $(VENV_HELP)" >&2; exit 1; }
	.venv/bin/python -m pip install -q --upgrade pip
	.venv/bin/python -m pip install -q -e '.[test,distributed]' jupyterlab
	@touch $@

# graphviz's `dot` program draws the graphs; the pip package is only a binding.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; \
	  else \
	    echo "graphviz's 'dot' program is missing: install it (sudo apt-get install graphviz | conda install -c conda-forge graphviz | brew install graphviz) and run make again." >&2; \
	    exit 1; \
	  fi; }

# --- the two commands -----------------------------------------------------------
# `make lab PORT=8890` picks the port (and fails if it is taken; without PORT,
# JupyterLab takes the next free one); LAB_ARGS passes more options, e.g.
# LAB_ARGS="--ip=0.0.0.0 --no-browser" in a container.
# (JupyterLab refuses to run as root, as in containers, unless told it may.)
PORT     ?=
LAB_ARGS ?=
LAB_OVERRIDES := $(PREFIX)/share/jupyter/lab/settings/overrides.json

lab: setup $(LAB_OVERRIDES)
	$(PY) -m jupyter lab --ServerApp.root_dir=course \
	  --LabApp.default_url=/lab/tree/00_start_here.ipynb \
	  $(if $(PORT),--port=$(PORT) --ServerApp.port_retries=0) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# the course's JupyterLab defaults (notebooks first in the file browser), merged
# into the environment's overrides.json; the learner's own settings still win
$(LAB_OVERRIDES): tools/lab_settings.py $(STAMP)
	$(PY) tools/lab_settings.py "$@"

# Each part prints how long it took, so CI logs show where the time goes.
test: test-unit test-browser test-notebooks

BROWSER_TEST := tests/test_notebooks_open.py
timed = start=$$(date +%s); $(2); status=$$?; \
        echo "== $(1): $$(( $$(date +%s) - start )) s"; exit $$status

test-unit: setup
	@echo "== unit tests: pytest tests"
	@$(call timed,unit tests,$(RUN_ENV) MPLBACKEND=Agg $(PY) -m pytest tests -q --ignore=$(BROWSER_TEST))

# every notebook opened in JupyterLab in headless chromium (skipped without chromium unless CI is set)
test-browser: setup
	@echo "== the notebooks in a real browser: pytest $(BROWSER_TEST)"
	@$(call timed,browser test,$(PY) -m pytest $(BROWSER_TEST) -q -rs)

test-notebooks: setup
	@echo "== notebooks under nbval: pytest --nbval course/*.ipynb"
	@$(call timed,notebooks,$(RUN_ENV) $(PY) -m pytest $(NBVAL) -q $(NOTEBOOKS))

# the differential specs of tests/differential run against PyTorch itself (torch must be installed:
# it is no dependency, so this is not part of `make test`)
parity: setup
	@$(PY) -c 'import torch' 2>/dev/null || { \
	  echo "make parity compares minitorch with PyTorch, which this environment lacks: $(PY) -m pip install torch" >&2; exit 1; }
	@echo "== every op against PyTorch: pytest tests/parity"
	@$(call timed,parity,MINITORCH_PARITY=1 $(PY) -m pytest tests/parity -q -p no:cacheprovider -rs)

# --- maintainers ----------------------------------------------------------------
# Re-execute a notebook top to bottom in a fresh kernel, then normalise its JSON
# (metadata, cell ids) while keeping outputs and execution counts for nbval, and
# give it the kernelspec JupyterLab writes (else it opens as modified).
notebooks: setup
	@for nb in $(NOTEBOOKS); do \
	  $(MAKE) --no-print-directory notebook NB=$$nb || exit 1; done

notebook: setup
	@[ -n "$(NB)" ] || { echo "usage: make notebook NB=course/NN_name.ipynb" >&2; exit 1; }
	$(RUN_ENV) $(PY) -m jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.kernel_name=python3 "$(NB)"
	@$(PY) -c "import nbstripout" 2>/dev/null || $(PY) -m pip install -q nbstripout
	$(PY) -m nbstripout --keep-output --keep-count "$(NB)"
	$(PY) tools/normalize_notebook.py "$(NB)"

# Every benchmark (bench/run_all.py, one process; the MPI ones start their own), written to
# bench/results/<machine>.md with PNG plots beside it: under 10 minutes on 2 cores.  QUICK=1: fewer sizes and repeats, no MPI
# and no torch.compile, under a minute (<machine>-quick.md, not kept in git).  GPU_QUICK=1: the quick
# CPU parts and the GPU sweeps, for a short lease of a GPU machine.
bench: setup
	$(RUN_ENV) MPLBACKEND=Agg $(PY) bench/run_all.py $(if $(GPU_QUICK),--gpu-quick,$(if $(QUICK),--quick))

clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis course/_render
	find . -path ./.venv -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) \
	  -type d -print0 | xargs -0 rm -rf
