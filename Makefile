# Campus Social — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test test-unit test-browser check lint format types imports migrations-check messages browser-deps bench bench-chat bench-search clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install -q uv==$(UV_VERSION); }
	$(VENV)/bin/uv sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced ## Create .venv with the locked dependencies (first run of any target does this)

run: install ## Start Campus Social with demo data on http://127.0.0.1:8000 (SQLite, in-memory layer)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_courses
	$(PY) manage.py seed_demo_circles
	$(PY) manage.py seed_demo_programs
	$(PY) manage.py seed_demo_credit
	$(PY) manage.py search_reindex
	$(PY) -m campus_social.server -b $(HOST) -p $(PORT) campus_social.asgi:application

test: check test-unit test-browser ## Lint, then run the whole test suite (set DATABASE_URL/REDIS_URL for the scaled setup)

# Parallel workers (pytest-xdist): one per core; TEST_WORKERS=0 runs in one process.  A module
# stays on one worker (--dist loadfile), so data it builds once (`module_db`) is built once.
TEST_WORKERS ?= auto
# pytest keeps compiled and assertion-rewritten modules in __pycache__ (git-ignored).  With
# PYTHONDONTWRITEBYTECODE set, every run — every worker — recompiles Django and rewrites ~430
# modules of the pytest plugins (Schemathesis, Hypothesis, Faker …): ~11 s of CPU per process.
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest

test-unit: install ## Unit, API, websocket and OpenAPI contract (Schemathesis) tests (pytest, without the browser)
	$(PYTEST) -p no:playwright --ignore=tests/browser -n $(TEST_WORKERS) --dist loadfile

test-browser: install browser-deps ## Browser tests: Playwright driving Debian's chromium, with axe-core
	$(PYTEST) -p no:asyncio -W "ignore::pytest.PytestConfigWarning" tests/browser

check: lint types imports migrations-check ## Every static check: ruff, mypy, import-linter, migrations

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

types: install ## mypy with django-stubs
	$(VENV)/bin/mypy .

imports: install ## The dependency direction of docs/architecture.md, as import-linter contracts
	$(VENV)/bin/lint-imports

migrations-check: install ## Fail when models changed without a migration
	$(PY) manage.py makemigrations --check --dry-run

messages: install ## Refresh the Japanese catalogue after changing strings, then compile it
	$(PY) manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=tests --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

browser-deps: ## Install Debian's chromium and Japanese fonts for the browser tests (as root)
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto.*cjk" || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else echo "Browser tests need Debian's chromium and fonts-noto-cjk: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; }

bench: bench-chat bench-search ## Every benchmark (docs/benchmarks.md); results in var/bench/

bench-chat: install ## Chat delivery under load: Daphne (in-memory, Redis, 2×Redis) vs a bare websockets server
	$(PY) bench/run_chat.py

# e.g. make bench-search BENCH_SEARCH_ARGS="--documents 5000 --databases sqlite" for a quick run
BENCH_SEARCH_ARGS ?=
bench-search: install ## Search at 100,000 documents: SQLite and PostgreSQL against known matches and a LIKE scan
	$(PY) bench/run_search.py $(BENCH_SEARCH_ARGS)

clean: ## Remove the virtualenv, caches and the local database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var/campus.sqlite3* var/media var/static
