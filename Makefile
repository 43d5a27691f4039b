# The two commands of the README: `make run` and `make test`. Each sets itself up from a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make run PAPERHUB_BOOTSTRAP=FILE` reaches the bootstrap command through the environment.
export PAPERHUB_BOOTSTRAP

.PHONY: run test lint install clean

# Mail under `make run`: a fresh machine has no mail server on localhost:25, so unless the operator chose a
# backend or a server, each message is written to a file under the data directory, where a person can read it.
ifeq ($(origin PAPERHUB_EMAIL_BACKEND)$(origin PAPERHUB_EMAIL_HOST),undefinedundefined)
run: export PAPERHUB_EMAIL_BACKEND = django.core.mail.backends.filebased.EmailBackend
run: MAIL_NOTE = Mail (sign-up links, password resets) is written to files in $${PAPERHUB_EMAIL_FILE_PATH:-$${PAPERHUB_DATA_DIR:-var}/mail}/, not sent: set PAPERHUB_EMAIL_HOST to send it by SMTP (README).
endif

run: $(STAMP)
	@$(if $(MAIL_NOTE),echo "$(MAIL_NOTE)")
	$(BIN)/paperhub migrate --noinput -v0
	$(BIN)/paperhub bootstrap
	$(BIN)/paperhub serve

# The suite on SQLite, then on PostgreSQL, each spread over the machine's cores (pytest-xdist: one worker per core,
# at most 4; PYTEST_WORKERS=0 runs it in one process). The 20 slowest tests are listed at the end of each run.
PYTEST_WORKERS ?= auto
PYTEST_RUN = $(BIN)/pytest -n $(PYTEST_WORKERS) --maxprocesses=4 --durations=20
# The suite on SQLite, then on PostgreSQL: PAPERHUB_TEST_POSTGRES_URL, or else a local PostgreSQL 15 that
# .ci/postgres.sh installs and starts (it needs root; without it the second run is skipped, and fails under CI).
test: $(STAMP) lint
	$(PYTEST_RUN)
	@url="$$PAPERHUB_TEST_POSTGRES_URL"; \
	if [ -z "$$url" ]; then \
		echo "== starting a local PostgreSQL 15 for the second run (.ci/postgres.sh) =="; \
		url="$$(bash .ci/postgres.sh)" || url=""; \
	fi; \
	if [ -n "$$url" ]; then \
		echo "== the same suite on PostgreSQL =="; \
		DATABASE_URL="$$url" $(PYTEST_RUN); \
	else \
		echo "PostgreSQL suite skipped: no PostgreSQL (set PAPERHUB_TEST_POSTGRES_URL, docs/operations.md)"; \
		test "$$CI" != true; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check paperhub tests bench testbed
	$(BIN)/mypy paperhub
	$(BIN)/lint-imports

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
