# Baton: `make demo` sets everything up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/baton

.PHONY: demo test test-sqlite test-postgres install lock assets lint typecheck check browser-deps serve bench clean messages \
	compiled-messages gettext-deps

# Translations: the .po files are in git, their compiled .mo files are build output (.gitignore).
LOCALE_PO := $(wildcard baton/locale/*/LC_MESSAGES/django.po)
LOCALE_MO := $(LOCALE_PO:.po=.mo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# pyproject.toml keeps the ranges; requirements.lock pins what CI tested, so a fresh machine gets the same.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

# Re-pin after changing a dependency range in pyproject.toml (then commit requirements.lock).
lock: | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	{ sed -n '1,2p' requirements.lock; $(BIN)/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

baton/static/vendor/.copied: node_modules/.installed scripts/copy_assets.sh
	sh scripts/copy_assets.sh
	touch $@

assets: baton/static/vendor/.copied

gettext-deps:
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gettext >/dev/null; \
	  else echo "GNU gettext missing: run 'sudo apt-get install -y gettext' to compile the translations"; exit 1; fi; }

# Recompiles a language only when its .po is newer than its .mo (baton/locale/<lang>/LC_MESSAGES).
$(LOCALE_MO): %.mo: %.po | $(VENV)/.installed gettext-deps
	$(BIN)/baton compilemessages -v 0 -l $(word 3,$(subst /, ,$@)) --ignore=.venv --ignore=node_modules \
	  --ignore=.git --ignore=staticfiles --ignore=var

compiled-messages: $(LOCALE_MO)

demo: install assets compiled-messages
	$(BIN)/baton migrate --noinput
	$(BIN)/baton seed_demo
	$(BIN)/baton rebuild_search_index --verbosity 0
	@echo
	@echo "Baton is serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# The background worker (reminder scheduler + database task worker) runs alongside runserver
	@# and is stopped when runserver exits.
	@$(BIN)/baton activities_worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/baton runserver $(HOST):$(PORT)

serve: install assets compiled-messages
	$(BIN)/baton runserver $(HOST):$(PORT)

browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium missing: run 'sudo apt-get install -y chromium' for the browser tests"; fi; }

# The two databases' suites run side by side (one per core); each prints its output when it ends.
# They share nothing: SQLite tests use their own files, the Redis tests a Redis database per run
# (core.testing.redis_url_for_tests). TEST_JOBS=1 runs them one after the other.
TEST_JOBS ?= 2
test: install assets compiled-messages browser-deps
	$(MAKE) -j$(TEST_JOBS) --output-sync=target test-sqlite test-postgres

test-sqlite: compiled-messages
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL $(BIN)/python scripts/run_tests.py --durations=15
	@echo "== replica routing on SQLite (a mirrored 'replica' alias) =="
	mkdir -p var && env -u DATABASE_URL BATON_TEST_REPLICA=1 BATON_TEST_DATABASE_NAME=$(CURDIR)/var/test_replica.sqlite3 \
	  $(BIN)/python scripts/run_tests.py -q -p no:cacheprovider baton/core/tests/test_replica.py

test-postgres: compiled-messages
	@url="$${BATON_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(BIN)/python scripts/pg_reachable.py "$(PG_TEST_URL)"; then url="$(PG_TEST_URL)"; fi; \
	if [ -n "$$url" ]; then echo "== test suite on PostgreSQL =="; DATABASE_URL="$$url" $(BIN)/python scripts/run_tests.py --durations=15 && \
	  echo "== replica routing on PostgreSQL (a mirrored 'replica' alias) ==" && \
	  DATABASE_URL="$$url" BATON_TEST_REPLICA=1 $(BIN)/python scripts/run_tests.py -q -p no:cacheprovider baton/core/tests/test_replica.py; \
	else echo "== PostgreSQL not reachable: SQLite run only =="; fi

lint: install
	$(BIN)/ruff check baton bench scripts conftest.py
	$(BIN)/ruff format --check baton bench scripts conftest.py
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy baton

check: install
	$(BIN)/baton makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') ALLOWED_HOSTS=crm.example.com \
	  SECURE_SSL_REDIRECT=true SECURE_HSTS_PRELOAD=true $(BIN)/baton check --deploy --fail-level WARNING

messages: install gettext-deps
	cd baton && ../$(BIN)/baton makemessages -l ko -l en --no-obsolete --ignore 'static/*' --ignore 'node_modules/*'
	$(MAKE) compiled-messages

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules baton/static/vendor var
