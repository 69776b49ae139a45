# Python 3.11 or newer: python3.11 if there is one, else python3
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test demo bench smoke lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "heron needs Python 3.11 or newer (found $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint,whoosh]'
	@touch $(STAMP)

setup: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

demo: $(STAMP)
	$(VENV)/bin/heron demo

# a benchmark run of seconds (500 news articles, heron alone): the scripts still work
smoke: $(STAMP)
	@if [ -d ../shared/data/news ]; then $(PY) benchmarks/indexing.py --engines heron --limit 500 --no-record && \
	  $(PY) benchmarks/applications.py --engines heron --limit 500 --no-record; \
	else echo "smoke: skipped, ../shared/data (the news collection) is absent"; fi

# every scenario, each writing a JSON record under benchmarks/records/, then the charts
# under benchmarks/plots/ (benchmarks/RESULTS.md records the figures by hand)
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/relevance.py
	$(PY) benchmarks/indexing.py
	$(PY) benchmarks/queries.py
	$(PY) benchmarks/highlights.py
	$(PY) benchmarks/updates.py
	$(PY) benchmarks/memory.py
	$(PY) benchmarks/pathological.py
	$(PY) benchmarks/pathological_matching.py
	$(PY) benchmarks/applications.py
	$(PY) benchmarks/plots.py

clean:
	rm -rf $(VENV) index/demo
