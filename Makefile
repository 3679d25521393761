# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench lock clean messages screenshots mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exactly the versions CI tested, each checked against its hash; then the project itself: its
# metadata only (it installs no package, the code runs from the checkout), so not editable,
# which made setuptools print a notice every time. `pip check` stops here if pyproject.toml
# needs something the lock lacks: run `make lock`.
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

## test: the whole suite (browser tests skip themselves when Chromium is absent, unless CI is set)
test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: style, formatting and the app boundaries (.importlinter)
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## mutation: break the modules that carry the promises on purpose ([tool.mutmut] in
## pyproject.toml), one small change at a time, and count what the tests notice; results and
## the copy it mutates stay in mutants/; `make mutation MUTANTS="messaging.failures*"` runs
## one module; not run by CI (docs/testing.md)
mutation: $(VENV)/.installed
	$(BIN)/mutmut run --max-children $(or $(JOBS),2) $(MUTANTS)
	$(BIN)/python scripts/mutation_scores.py

## screenshots: docs/screenshots/*.png for the README (throw-away SQLite database, a server on
## port 8103, Chromium at /usr/bin/chromium, pdftoppm); not run by CI
screenshots: $(VENV)/.installed
	$(BIN)/python scripts/screenshots.py

bench: $(VENV)/.installed
	$(BIN)/python -m bench.attachments
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.worker_efficiency
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

## messages: extract every translatable string into locale/*/LC_MESSAGES/django.po (then
## translate the empty msgstr lines) and compile the .mo files the site reads; commit both
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --all --no-location --no-obsolete \
		--ignore=bench --ignore=staticfiles --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv
