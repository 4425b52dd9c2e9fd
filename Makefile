# Tripwire: the two commands of the README do all set-up on a fresh machine.
#   make demo   create .venv, install, run the default scenario (missile_crisis_2)
#   make test   create .venv if needed, lint and run the test suite
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed

# Find a Python >= 3.12 (Mesa 3.5 needs it). `python3.12` may be a pyenv shim that fails
# when 3.12 is not the selected version, so each candidate is run, not just looked up.
PYTHON ?= $(shell for c in python3.12 python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
           /usr/local/bin/python3.12 /usr/bin/python3.12 python3; do \
           if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
           echo $$c; break; fi; done)

.PHONY: demo test lint format golden bench docs venv clean report-png fit

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.12 not found (set PYTHON=...)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tripwire

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/python -m pytest -n auto --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Regenerate the golden event logs on purpose; review the diff like code.
golden: $(STAMP)
	$(BIN)/python -m tests.golden_update

# Reports of a missile_crisis_2 game (placed in its ensemble) and of a baseline batch, as
# HTML + Markdown in build/report/, rendered to PNG with headless Chromium where installed.
R := build/report
report-png: $(STAMP)
	rm -rf $(R) && mkdir -p $(R)
	$(BIN)/tripwire run missile_crisis_2 --seed 7 --log $(R)/game.jsonl --quiet
	$(BIN)/tripwire batch missile_crisis_2 --runs 500 --out $(R)/mc2-batch
	$(BIN)/tripwire batch baseline --runs 2000 --out $(R)/baseline-batch
	$(BIN)/tripwire report $(R)/game.jsonl --batch $(R)/mc2-batch
	$(BIN)/tripwire report $(R)/baseline-batch --out $(R)/baseline.html
	sh tools/render_report.sh $(R)/game.html $(R)/game.png 20000
	sh tools/render_report.sh $(R)/baseline.html $(R)/baseline.png 9000

# Fit the free parameters again (ABC-SMC, a few minutes) and check the result; review the
# diff of the fitted values and of calibration.md like code.
fit: $(STAMP)
	$(BIN)/tripwire fit baseline --population 150 --generations 5 --out src/tripwire/catalog/fitted.yaml
	$(BIN)/tripwire calibrate baseline --out docs/calibration.md

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Regenerate the generated parts of the docs (model card tables; the scenario guide's
# reference and example outputs) from the catalog, the schema and the engine.
docs: $(STAMP)
	$(BIN)/python -m tripwire.docgen docs/model-card.md
	$(BIN)/python -m tripwire.authoring.guide
	$(BIN)/python -m tripwire.odd docs/odd.md
