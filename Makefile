# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## run: the demo shop at http://127.0.0.1:$(PORT) (SQLite, tasks in-process, dev inbox)
run: export DEBUG = 1
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --admin
	@echo "Shop: http://127.0.0.1:$(PORT)/   Admin: http://127.0.0.1:$(PORT)/admin/ (admin / sealpost-demo)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite (browser tests skip themselves when Chromium is absent, unless CI is set)
test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	$(BIN)/python -m bench.attachments
	$(BIN)/python -m bench.pipeline

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
