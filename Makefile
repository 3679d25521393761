# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench lock clean messages screenshots mutation docs docs-build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exactly the versions CI tested, each checked against its hash; then the project itself, not
# editable (that made setuptools print an "Editable installation" notice on every fresh run):
# a copy of the packaged apps (pyproject.toml) lands in site-packages, refreshed only when
# pyproject.toml changes, and the checkout always wins over it, because everything here starts
# Python in the checkout with it first on sys.path: `python manage.py` (make run),
# `python -m pytest` (make test), `python -m celery` (deploy/). tests/test_console.py checks
# that a copy ahead of site-packages still loses; tests/test_packaging.py checks what a wheel
# holds. `pip check` stops here if pyproject.toml needs something the lock lacks: `make lock`.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps .
	$(BIN)/python -m pip check
	touch $@

## lock: refresh requirements.lock after changing dependencies in pyproject.toml (keeps the
## other pins); `make lock UPGRADE=1` moves every pin to the newest allowed release
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet 'uv>=0.13.9'
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 --custom-compile-command "make lock" --quiet \
		$(if $(UPGRADE),--upgrade) --output-file requirements.lock

## run: the demo shop at http://127.0.0.1:$(PORT) (SQLite, tasks in-process, dev inbox)
run: export DEBUG = 1
run: export SHOP_URL ?= http://127.0.0.1:$(PORT)/
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --admin
	@echo "Shop: http://127.0.0.1:$(PORT)/   Admin: http://127.0.0.1:$(PORT)/admin/ (admin / sealpost-demo)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite (browser tests skip themselves when Chromium is absent, unless CI is set),
## then the message center alone: a project without the shop (tests/standalone/settings.py)
test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest -c tests/standalone/pytest.ini $(STANDALONE_PYTEST_ARGS) tests/standalone

## lint: style, formatting and the app boundaries (.importlinter)
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## mutation: break the modules that carry the promises on purpose ([tool.mutmut] in
## pyproject.toml), one small change at a time, and count what the tests notice; results and
## the copy it mutates stay in mutants/; `make mutation MUTANTS="messaging.failures*"` runs
## one module; not run by CI (docs/developers/testing.md)
mutation: $(VENV)/.installed
	$(BIN)/mutmut run --max-children $(or $(JOBS),2) $(MUTANTS)
	$(BIN)/python scripts/mutation_scores.py

## docs-build: the documentation site from docs/ into docs/_build/html, strict: any warning (a
## broken link or anchor, a page in no table of contents, a missing picture) fails; CI runs it
docs-build: $(VENV)/.installed
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

## docs: build the site as CI does, then serve it at http://127.0.0.1:$(DOCS_PORT)/ (8000)
DOCS_PORT ?= 8000
docs: docs-build
	@echo "Documentation: http://127.0.0.1:$(DOCS_PORT)/"
	$(BIN)/python -m http.server $(DOCS_PORT) --bind 127.0.0.1 --directory docs/_build/html

## screenshots: docs/screenshots/*.png for the README and the documentation site (throw-away
## SQLite database, a server on port 8103, Chromium at /usr/bin/chromium, pdftoppm); not in CI
screenshots: $(VENV)/.installed
	$(BIN)/python scripts/screenshots.py

bench: $(VENV)/.installed
	$(BIN)/python -m bench.attachments
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.worker_efficiency
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles docs/_build

## messages: extract every translatable string into the catalog that ships with its code —
## <app>/locale/*/LC_MESSAGES/django.po for each packaged app, locale/ for the rest — carrying
## every existing translation over (scripts/messages.py); then translate the empty msgstr lines
## and run it again to compile the .mo files the site reads; commit both
messages: $(VENV)/.installed
	$(BIN)/python scripts/messages.py
