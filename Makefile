# 八千代市DX推進ポータル: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Development-only values; production sets its own environment (see .env.example).
DEV_ENV := DEBUG=1
TEST_ENV := SECRET_KEY=test-only-not-secret DEBUG=0 SECURE_SSL_REDIRECT=0
MASTER_DATA ?= data/yachiyo.yaml
PYTEST_ARGS ?=

.PHONY: install lock audit run serve bench similarity similarity-scale browser-deps test test-fast test-browser lint check clean

# Installs exactly what requirements/lock.txt pins (runtime and dev, every file checked against its
# hash), then the project itself without resolving anything (--no-deps), built with the locked
# setuptools (--no-build-isolation). A changed lock reinstalls. pyproject.toml declares the
# ranges; `make lock` turns them into the lock.
LOCK := requirements/lock.txt
$(BIN)/.installed: $(LOCK) pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed" or 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check || { echo "A requirement above is not installed. If it is this project's, $(LOCK) is behind pyproject.toml: run make lock" >&2; exit 1; }
	touch $@

install: $(BIN)/.installed

# pip-tools and pip-audit have their own environment, from their own hashed lock; `make install`
# needs neither.
TOOLS := var/tools-venv
$(TOOLS)/.installed: requirements/tools.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --require-hashes -r requirements/tools.txt
	touch $@

# Rewrites the locks from pyproject.toml for Python 3.11 (markers are evaluated for the Python that
# runs pip-compile), keeping the pins already there unless pyproject.toml no longer allows them:
#   requirements/lock.txt           runtime + dev (+ setuptools to build the project): make install, CI
#   requirements/production.txt     runtime (+ setuptools): production servers (docs/production.md)
#   requirements/production-s3.txt  runtime + the s3 extra (+ setuptools): production with S3
#   requirements/tools.txt          pip-tools and pip-audit themselves
# The production locks take their versions from lock.txt (-c), so what is tested is what runs.
# `make lock UPGRADE=1` moves every pin to the newest release the ranges allow;
# `make lock UPGRADE="-P django"` moves only Django.
UPGRADE ?=
COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(TOOLS)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	$(if $(filter 1,$(UPGRADE)),--upgrade,$(filter-out 1,$(UPGRADE)))
lock: $(TOOLS)/.installed
	$(COMPILE) -o requirements/tools.txt requirements/tools.in
	$(COMPILE) --extra dev --build-deps-for editable -o $(LOCK) pyproject.toml
	$(COMPILE) --build-deps-for wheel -c $(LOCK) -o requirements/production.txt pyproject.toml
	$(COMPILE) --extra s3 --build-deps-for wheel -c $(LOCK) -o requirements/production-s3.txt pyproject.toml

# Known vulnerabilities in every lock (pip-audit, over the network). Fails when one is found, and
# also, saying so plainly, when the vulnerability service cannot be reached: see requirements/audit.py.
AUDIT_ARGS ?=
audit: $(TOOLS)/.installed
	$(TOOLS)/bin/python requirements/audit.py $(AUDIT_ARGS)

# A developer's .env (git-ignored) so that plain `python manage.py ...` works here too; it is
# written once and never overwrites one you made. Production never uses it (see .env.example).
.env:
	printf '# Written by make run for local development only.\nDEBUG=1\n' > .env

run: install .env
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_master_data $(MASTER_DATA)
	$(DEV_ENV) $(BIN)/python manage.py create_demo_data
	$(DEV_ENV) $(BIN)/python manage.py rebuild_similarity_index
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The production stack on this machine: gunicorn + whitenoise, settings from the environment or
# .env (DATABASE_URL for PostgreSQL, SECRET_KEY, ALLOWED_HOSTS; see docs/production.md).
serve: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py rebuild_similarity_index --if-stale
	$(BIN)/python manage.py collectstatic --no-input
	$(BIN)/python manage.py check --deploy
	$(BIN)/python -m gunicorn -c deploy/gunicorn.conf.py yachiyo_dx.wsgi

# Performance figures (not a test): a generated city of 10,000 then 100,000 initiatives on
# PostgreSQL, served by gunicorn, loaded from 127.0.0.1 by wrk (Debian's package, if installed),
# against the Django admin's changelist over the same rows. BENCH_INITIATIVES=10000 for one size;
# see bench/run.py for the other settings. Writes bench/results.md and bench/results.json.
bench: install
	$(BIN)/python bench/run.py

# How well similar proposals are found in the labelled set (bench/similarity_set.yaml), for the
# dev half (tuned on), the held-out half (never tuned on), and the fresh and blind parts
# (written without seeing the ranking, looked at once per final ranking); `-v` lists every miss.
similarity: install
	$(BIN)/python bench/similarity.py $(SIMILARITY_ARGS)

# The stored index with 10,000 proposals on PostgreSQL: rebuild, lookup and save times.
similarity-scale: install
	$(BIN)/python bench/similarity_scale.py

# The browser journeys drive Debian's Chromium, with Japanese fonts. As root, `make test` installs
# both from Debian's packages; otherwise it stops at once and says what to run.
CHROMIUM ?= /usr/bin/chromium
browser-deps:
	@if [ ! -x "$(CHROMIUM)" ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium and Japanese fonts (Debian packages chromium, fonts-noto-cjk)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "The browser tests need $(CHROMIUM) and Japanese fonts. Run:" >&2; \
	    echo "  sudo apt-get install chromium fonts-noto-cjk" >&2; \
	    echo "(or run only the other tests: make test-fast)" >&2; \
	    exit 1; \
	  fi; \
	fi

# The whole suite, browser journeys included.
test: install browser-deps
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(TEST_ENV) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: install browser-deps
	$(TEST_ENV) $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

check: install
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python manage.py check

clean:
	rm -rf $(VENV) var staticfiles
