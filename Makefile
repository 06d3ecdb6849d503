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

# Tools run from the virtual environment, and notebooks' kernels find the package there.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONUNBUFFERED := 1
export MPLBACKEND := Agg
# Jupyter prints a warning per run while this is unset on newer jupyter_core.
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: help book serve test lint unit notebooks site-test bench bench-book lab app lock clean \
	site-js checkov-venv browser fleet fuzz wrk

help:
	@echo "make book   build the book into $(HTML) (notebooks run only when they or src/labs changed)"
	@echo "make test   lint, unit and widget tests, every notebook once, strict full build, browser test"
	@echo "make clean  remove the built book and the notebooks' cache (then make book starts afresh)"
	@echo "make serve  serve the built book on http://127.0.0.1:$(SERVE_PORT)/"
	@echo "make lab    JupyterLab on notebooks/ (widgets recompute live there)"
	@echo "make app    run the Flask lab under gunicorn on 127.0.0.1 and [::1] (PORT=5000)"
	@echo "make bench  time the calculators (small vs huge networks) and the lab app under load"
	@echo "make fleet  3 copies of the lab behind Caddy on http://127.0.0.1:8080 (Ctrl-C stops)"
	@echo "make lock   regenerate requirements.txt from requirements.in"

# ---------------------------------------------------------------- environments

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cloudlab needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

# The lock, then the book's package and the Flask lab as editable packages (both are in
# requirements.in; the lock leaves them out so that it holds only what comes from PyPI).
$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml labs/flask_app/pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e . -e labs/flask_app
	@touch $@

# A headless Chromium for the site tests and the fingerprinting chapter: found by the rules
# in src/cloudlab/web/chromium.py, else installed (playwright, else apt-get as root), else
# one line saying what to install.
browser: $(VENV)/.installed
	@$(BIN)/python -m cloudlab.web.chromium --provide

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
# Copied again only when the lock changed (cp -p keeps their times, so an incremental
# build does not think they are new).
site-js: $(VENV)/.installed $(SITE_STATIC)/.copied
	@$(BIN)/python tools/build_live.py $(SITE_STATIC)/live

$(SITE_STATIC)/.copied: node_modules/.installed
	@rm -rf $(SITE_STATIC)
	@mkdir -p $(WIDGETS_JS)/html-manager
	cp -rp node_modules/mathjax/es5 $(SITE_STATIC)/mathjax
	cp -p node_modules/requirejs/require.js $(WIDGETS_JS)/require.js
	cp -p node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js \
	   node_modules/@jupyter-widgets/html-manager/dist/*.woff2 \
	   node_modules/@jupyter-widgets/html-manager/dist/*.woff \
	   node_modules/@jupyter-widgets/html-manager/dist/*.ttf \
	   node_modules/@jupyter-widgets/html-manager/dist/*.eot \
	   node_modules/@jupyter-widgets/html-manager/dist/*.svg \
	   $(WIDGETS_JS)/html-manager/
	@touch $@

# ---------------------------------------------------------------- the book

# Each notebook executes once into jupyter-cache, three at a time, and only when its code
# or what it runs against (src/, labs/, the locks) changed; see book/_ext/cloudlab_execute.py.
# Why jupyter-cache rather than reusing nbmake's outputs: nbmake does not keep the executed
# notebooks, and the cache lets an author's rebuild skip every unchanged chapter.
notebooks: $(VENV)/.installed checkov-venv browser
	$(BIN)/python book/_ext/cloudlab_execute.py

# Incremental: Sphinx re-reads only changed pages (and pages whose notebook re-ran) and
# overwrites changed static files. `make test` builds everything (BOOK_FLAGS=--all) so
# that -W sees every page's warnings; `make clean book` starts from nothing.
BOOK_FLAGS ?=
book: $(VENV)/.installed site-js notebooks
	$(BIN)/jupyter-book build . $(BOOK_FLAGS) -W -n --keep-going
	@echo
	@echo "The book is in $(HTML). Open $(CURDIR)/$(HTML)/index.html in a browser,"
	@echo "or run 'make serve' and visit http://127.0.0.1:$(SERVE_PORT)/"

serve:
	@test -f $(HTML)/index.html || { echo "no book in $(HTML): run 'make book' first"; exit 1; }
	$(BIN)/python -m http.server $(SERVE_PORT) --bind 127.0.0.1 --directory $(HTML)

# JupyterLab on a working copy of the chapters (workbook/, not tracked): a learner's
# outputs and edits stay out of git and out of the tracked notebooks. jupyterlab-myst
# renders the chapters' MyST as the site does. JupyterLab's news feed and update check
# call jupyter.org: off (a book that teaches tracking does not phone home). As root (a
# container) JupyterLab refuses to start unless told --allow-root.
LAB_DIR := workbook
LAB_FLAGS := --ip 127.0.0.1 --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	$(if $(filter 0,$(shell id -u)),--allow-root)
# The same two as JupyterLab's defaults for this environment (overrides.json, where
# JupyterLab reads them): without them it asks on first start whether to fetch the news.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: $(VENV)/.installed
	@mkdir -p $(LAB_SETTINGS) && cp tools/jupyterlab/overrides.json $(LAB_SETTINGS)/overrides.json
	@$(BIN)/python tools/workbook.py notebooks $(LAB_DIR)
	$(BIN)/jupyter lab $(LAB_FLAGS) $(LAB_DIR)/

# The Flask lab on http://127.0.0.1:5000 and http://[::1]:5000; PORT=8080 make app moves it.
# (The app reads PORT itself; the book's `serve` port is SERVE_PORT.)
app: $(VENV)/.installed
	cd labs/flask_app && $(CURDIR)/$(BIN)/gunicorn -c gunicorn.conf.py

# Three copies of the lab app (2 blue, 1 green) behind a real Caddy on 127.0.0.1:8080 and
# [::1]:8080; `python -m cloudlab fleet --help` lists what another shell can do to them.
fleet: $(VENV)/.installed
	$(BIN)/python -m cloudlab fleet up

# ---------------------------------------------------------------- checks

# The strict build reads every page (--all); the notebooks still execute only once.
test: BOOK_FLAGS := --all
test: lint unit book site-test

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench notebooks labs tools book/_ext conftest.py
	$(BIN)/ruff format --check src tests bench notebooks labs tools book/_ext conftest.py
	$(BIN)/mypy
	$(BIN)/codespell book src tests bench notebooks labs README.md
	$(BIN)/python tools/check_notebooks.py notebooks

# Unit, property, CLI and widget tests, and the Flask lab's tests (a real gunicorn on both
# address families, headless Chromium). The notebooks run in `make book`, once.
unit: $(VENV)/.installed checkov-venv browser
	$(BIN)/pytest -n $(WORKERS) tests labs/flask_app/tests --ignore=tests/site

# A real browser loads every page of the built site, offline; the execution report says
# every notebook ran against today's code.
site-test: book browser
	$(BIN)/pytest tests/site

# Longer fuzzing than make test runs (FUZZ_EXAMPLES examples per entry point, random seeds).
fuzz: $(VENV)/.installed
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(BIN)/pytest -p no:randomly -q tests/test_fuzz_library.py tests/test_fuzz_widgets.py labs/flask_app/tests/test_flask_fuzz.py

# How long an author waits: a clean build, then a rebuild after a one-chapter text edit,
# in a scratch copy of the working tree (minutes; not part of `make bench`).
bench-book: $(VENV)/.installed site-js checkov-venv browser
	$(BIN)/python bench/bench_book.py

# httpbin, the lab app's peer in bench_app.py, lives in an environment of its own.
.venv-bench/.installed: bench/requirements.txt
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -r bench/requirements.txt
	@touch $@

# wrk, the HTTP load generator of bench_app.py (Debian's package): installed with apt-get
# when run as root, otherwise named; without it the bench uses a slower Python generator.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; \
	  else \
	    echo "wrk is not installed (apt-get install wrk, brew install wrk): bench_app.py uses its slower Python load generator"; \
	  fi; }

bench: $(VENV)/.installed .venv-bench/.installed wrk
	$(BIN)/python bench/bench_subnets.py
	$(BIN)/python bench/bench_sim.py
	$(BIN)/python bench/bench_app.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_live.py

# The dependency groups of pyproject.toml that the book's environment holds.
GROUPS := book test lint jupyterlab lock

lock: $(VENV)/.installed
	$(BIN)/uv pip compile requirements.in $(foreach group,$(GROUPS),--group pyproject.toml:$(group)) \
	  -o requirements.txt --python-version 3.11 --no-emit-package cloudlab \
	  --no-emit-package flask-app --custom-compile-command "make lock" --quiet

clean:
	rm -rf _build _site_static
