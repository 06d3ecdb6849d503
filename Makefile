# cloudlab: every set-up step lives here, so that `make book` and `make test` work on a
# fresh machine with Python 3.11+, make and Node/npm.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTML := _build/html
SITE_STATIC := _site_static
WIDGETS_JS := $(SITE_STATIC)/widgets
SERVE_PORT ?= 8000
# pytest workers: the machines this runs on have two cores.
WORKERS ?= 2
# Seconds a notebook cell may run under nbmake (the slowest takes a few). Kept short on
# purpose: with two workers, a cell that shows widgets sometimes gets its reply only when
# this timeout runs out, and then passes (jupyter/nbclient#312, open); at 300 s that one
# stall made `make test` 5 minutes longer. Same figure as `execute.timeout` in _config.yml;
# the three lab notebooks (Docker, Terraform, real AWS where present) allow 1800 s in their
# own metadata (`execution.timeout` for nbmake, `mystnb.execution_timeout` for the book).
NB_TIMEOUT ?= 60

# Tools run from the virtual environment, and notebooks' kernels find the package there.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONUNBUFFERED := 1
export MPLBACKEND := Agg
# Jupyter prints a warning per run while this is unset on newer jupyter_core.
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: help book serve test lint unit notebooks site-test bench lab app lock clean site-js checkov-venv

help:
	@echo "make book   build the book into $(HTML), executing every notebook"
	@echo "make test   lint, unit and widget tests, notebooks, strict book build, browser test"
	@echo "make serve  serve the built book on http://127.0.0.1:$(SERVE_PORT)/"
	@echo "make lab    JupyterLab on notebooks/ (widgets recompute live there)"
	@echo "make app    run the Flask lab under gunicorn on 127.0.0.1 and [::1] (PORT=5000)"
	@echo "make bench  time the calculators (small vs huge networks) and the lab app under load"
	@echo "make lock   regenerate requirements.txt from requirements.in"

# ---------------------------------------------------------------- environments

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cloudlab needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# checkov (the Terraform and Dockerfile policy checker) pins packages that clash with the
# book's, so it gets an environment of its own, from its own lock.
checkov-venv: .venv-checkov/.installed

.venv-checkov/.installed: tools/checkov/requirements.txt
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet --upgrade pip
	.venv-checkov/bin/python -m pip install --quiet -r tools/checkov/requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

# The widget runtime (require.js and @jupyter-widgets/html-manager) and MathJax are
# served by the site itself: pinned in package-lock.json, copied here, named in _config.yml.
site-js: node_modules/.installed
	@rm -rf $(SITE_STATIC)
	@mkdir -p $(WIDGETS_JS)/html-manager
	cp -r node_modules/mathjax/es5 $(SITE_STATIC)/mathjax
	cp node_modules/requirejs/require.js $(WIDGETS_JS)/require.js
	cp node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js \
	   node_modules/@jupyter-widgets/html-manager/dist/*.woff2 \
	   node_modules/@jupyter-widgets/html-manager/dist/*.woff \
	   node_modules/@jupyter-widgets/html-manager/dist/*.ttf \
	   node_modules/@jupyter-widgets/html-manager/dist/*.eot \
	   node_modules/@jupyter-widgets/html-manager/dist/*.svg \
	   $(WIDGETS_JS)/html-manager/

# ---------------------------------------------------------------- the book

book: $(VENV)/.installed site-js
	@rm -rf $(HTML)
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo
	@echo "The book is in $(HTML). Open $(CURDIR)/$(HTML)/index.html in a browser,"
	@echo "or run 'make serve' and visit http://127.0.0.1:$(SERVE_PORT)/"

serve:
	@test -f $(HTML)/index.html || { echo "no book in $(HTML): run 'make book' first"; exit 1; }
	$(BIN)/python -m http.server $(SERVE_PORT) --bind 127.0.0.1 --directory $(HTML)

lab: $(VENV)/.installed
	$(BIN)/jupyter lab --ip 127.0.0.1 notebooks/

# The Flask lab on http://127.0.0.1:5000 and http://[::1]:5000; PORT=8080 make app moves it.
# (The app reads PORT itself; the book's `serve` port is SERVE_PORT.)
app: $(VENV)/.installed
	cd labs/flask_app && $(CURDIR)/$(BIN)/gunicorn -c gunicorn.conf.py

# ---------------------------------------------------------------- checks

test: lint unit book site-test

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench notebooks labs tools book/_ext
	$(BIN)/ruff format --check src tests bench notebooks labs tools book/_ext
	$(BIN)/codespell book src tests bench notebooks labs README.md
	$(BIN)/python tools/check_notebooks.py notebooks

# Unit, property, CLI and widget tests, the Flask lab's tests (a real gunicorn on both
# address families, headless Chromium), then every notebook run top to bottom.
unit: $(VENV)/.installed checkov-venv
	$(BIN)/pytest -n $(WORKERS) --nbmake --nbmake-timeout=$(NB_TIMEOUT) tests labs/flask_app/tests notebooks --ignore=tests/site

# A real browser loads every page of the built site, offline.
site-test: $(VENV)/.installed
	$(BIN)/pytest tests/site

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_subnets.py
	$(BIN)/python bench/bench_sim.py
	$(BIN)/python bench/bench_app.py

lock: $(VENV)/.installed
	$(BIN)/uv pip compile requirements.in -o requirements.txt --python-version 3.11 \
	  --no-emit-package cloudlab --custom-compile-command "make lock" --quiet

clean:
	rm -rf _build _site_static
