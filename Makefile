# scaling_downstream — two commands set up everything on a fresh machine:
#   make study   the main job: the paper's study at cpu scale for en-fr (PAIRS="en-de en-fr en-ro" for all three)
#   make test    the tests (what .ci/run calls)
# Also: make figures (redraw every figure from the committed results), make chinchilla (the fitter on Chinchilla),
#   make notebooks (execute nbs/ in place, so the committed notebooks show their outputs), make docs (the documentation
#   site from the notebooks, offline, into _docs/), make study-long (the longer cpu study of en-fr: specs/cpu-long.yaml).
# Both create .venv with the pinned dependencies of settings.ini on first use.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := papermill_runs/out

.PHONY: setup study study-long figures chinchilla notebooks docs test check-notebooks readme lab

setup: $(STAMP)

$(STAMP): settings.ini setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=24'
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name 'Python 3 (scaling_downstream)'
	touch $@

# The main job: pretrain, finetune and score every model of the cpu-scale study (cached in runs/cpu, resumable; two
# worker processes), write results/cpu/<pair>.csv, and execute the papermill notebooks into papermill_runs/out/cpu/.
SCALE ?= cpu
PAIRS ?= en-fr
study: $(STAMP)
	$(BIN)/sd-reproduce --scale $(SCALE) --pairs $(PAIRS)

# The long cpu study (specs/cpu-long.yaml): the main job with French-only pretraining and a second D_f (350k), for
# findings 4 and 5 on BLEU; results/cpu-long/, papermill_runs/out/cpu-long/.
study-long: $(STAMP)
	$(BIN)/sd-reproduce --scale cpu-long

# Redraw the figures and notebooks from the committed results tables (every pair that has one), training nothing.
COMMITTED_PAIRS = $(sort $(basename $(notdir $(wildcard results/$(SCALE)/*.csv))))
figures: $(STAMP)
	$(BIN)/sd-reproduce --scale $(SCALE) --pairs $(COMMITTED_PAIRS) --plot_only

# Execute every notebook of nbs/ in place, as nbdev_test runs them, and clean them: the repository shows the values
# the prose talks about, and a rerun on the same machine leaves the files as they are.
notebooks: $(STAMP)
	$(BIN)/python .ci/execute-notebooks
	$(BIN)/nbdev_clean

# The documentation site: every notebook a page with its outputs, the API of each module from its docstrings
# (mkdocs-material, mkdocs-jupyter, mkdocstrings), built offline into _docs/; open _docs/index.html or serve the folder.
docs: $(STAMP)
	$(BIN)/python .ci/build-docs

# The fitter checked on public data: Hoffmann et al.'s law fitted to the Chinchilla points with the paper's method.
chinchilla: $(STAMP)
	mkdir -p $(OUT)
	$(BIN)/papermill --cwd . --progress-bar papermill_runs/fit_law.ipynb $(OUT)/fit_chinchilla.ipynb \
	  -p csv_path data/fixtures/chinchilla_svg_extracted_data.csv \
	  -p law chinchilla_law -p y_column loss \
	  -y 'x_columns: {N: "`Model Size`", D: "`Training FLOP` / (6 * `Model Size`)"}' \
	  -p query '(-loss).rank() > 5' -p order_by '`Training FLOP`' -p n_fit 200 \
	  -y 'expected: {E: 1.8172, A: 477.84, B: 2143.86, alpha: 0.3473, beta: 0.3672}' \
	  -p out_dir $(OUT) -p name fit_chinchilla

# One torch thread per notebook and per pytest worker (two of each): two processes of two threads each on two cores spin
# against each other in OpenMP's barriers (3x slower). The tests of one module share a worker (tests/conftest.py).
test: $(STAMP) check-notebooks
	OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n 2 --dist loadgroup --durations=12 tests

# Notebooks are the source of truth: nbdev_clean and nbdev_export must change nothing.
check-notebooks: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH bash .ci/check-notebooks

readme: $(STAMP)
	$(BIN)/jupyter nbconvert --log-level WARN --to markdown index.ipynb --output README

lab: $(STAMP)
	$(BIN)/jupyter lab
