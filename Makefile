# minitorch course — `make lab` to learn, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# --- which Python -------------------------------------------------------------
# An active conda env that already has the course installed (environment.yml)
# is used as is; otherwise a local .venv is created and filled once.
CONDA_READY := $(shell [ -n "$$CONDA_PREFIX" ] && "$$CONDA_PREFIX/bin/python" \
                 -c "import minitorch, nbval" >/dev/null 2>&1 && echo yes)
ifeq ($(CONDA_READY),yes)
  PY    := $(CONDA_PREFIX)/bin/python
  STAMP :=
else
  PY    := .venv/bin/python
  STAMP := .venv/.installed
endif

NOTEBOOKS := $(sort $(wildcard course/[0-9][0-9]_*.ipynb))
BENCHES   := $(sort $(wildcard bench/[a-z]*.py))

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

.PHONY: help setup dot lab test test-unit test-notebooks notebooks notebook bench clean

help:
	@echo "make lab         open the course in JupyterLab (sets everything up first)"
	@echo "make test        run the unit tests and every notebook under nbval"
	@echo "make notebooks   re-execute every notebook in place (maintainers)"
	@echo "make notebook NB=course/01_numpy_backprop.ipynb   re-execute one"
	@echo "make bench       run the benchmark scripts in bench/"
	@echo "make clean       remove caches and build outputs (keeps .venv)"

# --- setup --------------------------------------------------------------------
setup: $(STAMP) dot

.venv/.installed: pyproject.toml
	@[ -x .venv/bin/python ] || python3 -m venv .venv
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
# (JupyterLab refuses to run as root, as in containers, unless told it may.)
lab: setup
	$(PY) -m jupyter lab course $(if $(filter 0,$(shell id -u)),--allow-root)

test: test-unit test-notebooks

test-unit: setup
	$(RUN_ENV) MPLBACKEND=Agg $(PY) -m pytest tests -q

test-notebooks: setup
	$(RUN_ENV) $(PY) -m pytest $(NBVAL) -q $(NOTEBOOKS)

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

bench: setup
	@[ -n "$(BENCHES)" ] || { echo "no bench/*.py scripts yet"; exit 0; }
	@for f in $(BENCHES); do echo "== $$f"; $(PY) "$$f" || exit 1; done

clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis course/_render
	find . -path ./.venv -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) \
	  -type d -print0 | xargs -0 rm -rf
