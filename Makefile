# Two commands do all the set-up: `make demo` and `make test`. Both create .venv/ in the repo
# (once; again when pyproject.toml changes) and install socialkit into it, editable.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
EXTRAS ?= dev,local,llm,data
# the tests also cover the memory streams (chromadb, onnxruntime; about 40 s and 400 MB more) and
# sweeps on Dask (dask[distributed]; about 45 MB and 25 s more) and the persuasion analysis
# (statsmodels; about 14 s and 70 MB more), which `make demo` does not need
TEST_EXTRAS ?= $(EXTRAS),memory,experiments,stats
# test workers (pytest-xdist; a notebook or a test module stays on one worker, in order)
JOBS   ?= 2
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)-$(EXTRAS)

.PHONY: demo test lint bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("socialkit needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable ".[$(EXTRAS)]"
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: $(STAMP)
	$(VENV)/bin/socialkit demo --out demo-output

lint: $(STAMP)
	$(PY) -m ruff check .

test:
	@$(MAKE) --no-print-directory venv EXTRAS=$(TEST_EXTRAS)
	$(PY) -m ruff check .
	$(PY) -m pytest tests socialkit notebooks --doctest-modules --nbval-lax -p no:cacheprovider \
		-n $(JOBS) --dist loadscope

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) demo-output
