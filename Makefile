# HE.CO Hub — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test install lint format messages bench serve-prod clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo network on an empty database, serve on $(PORT)
## with the background worker beside it (scheduled posts, newsletters, harvests); Ctrl-C stops both
run: install
	$(BIN)/heco migrate --noinput
	$(BIN)/heco demo --if-empty
	$(BIN)/heco worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/heco runserver 127.0.0.1:$(PORT)

## make test: the whole suite (SQLite by default; HECO_DATABASE_URL=postgres://… for PostgreSQL)
test: install
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make messages: refresh the gettext catalogs of all six languages and compile them
messages: install
	cd heco && ../$(BIN)/heco makemessages --all --no-obsolete --ignore "tests/*" \
	  && msgcat --use-first -o locale/mt/LC_MESSAGES/django.po locale/mt/LC_MESSAGES/django.po locale/mt/django_builtin.po \
	  && ../$(BIN)/heco compilemessages

bench: install
	$(BIN)/heco bench search --records 100000
	$(BIN)/heco bench pages

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
