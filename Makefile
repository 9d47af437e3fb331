# Digital Apprenticeships: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# The PostgreSQL pass of `make test`; it skips with a message when nothing answers there.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

static/build/app.css: node_modules/.installed $(wildcard static/scss/*.scss)
	npm run --silent build

.PHONY: install
install: $(VENV)/.installed static/build/app.css ## Install Python and front-end packages, build the stylesheet

.PHONY: migrate
migrate: install ## Upgrade the database to the newest migration
	$(BIN)/alembic upgrade head

.PHONY: run
run: migrate ## Install, migrate, load demo data if there are no users, and serve on http://127.0.0.1:5000
	$(FLASK) seed demo --if-no-users
	@echo "Serving on http://$(HOST):$(PORT)  (stop with Ctrl+C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

.PHONY: lint
lint: install ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: fmt
fmt: install ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: test
test: lint ## Install, lint, and run the whole suite on SQLite, then the database tests on PostgreSQL
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -m "db or browser" $(PYTEST_ARGS)

.PHONY: revision
revision: install ## Write a new migration: make revision m="what it does"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

.PHONY: lock
lock: ## Re-resolve requirements.lock from pyproject.toml in a throwaway virtualenv
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet '.[test]'
	.lock-venv/bin/python -m pip freeze --exclude digital-apprenticeships > requirements.lock
	rm -rf .lock-venv build *.egg-info

.PHONY: clean
clean: ## Remove the virtualenv, node_modules and built assets
	rm -rf $(VENV) node_modules static/build
