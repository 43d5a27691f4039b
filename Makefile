# The two commands of the README: `make run` and `make test`. Each sets itself up from a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make run PAPERHUB_BOOTSTRAP=FILE` reaches the bootstrap command through the environment.
export PAPERHUB_BOOTSTRAP

.PHONY: run test lint install clean

run: $(STAMP)
	$(BIN)/paperhub migrate --noinput -v0
	$(BIN)/paperhub bootstrap
	$(BIN)/paperhub serve

test: $(STAMP) lint
	$(BIN)/pytest
	@if [ -n "$$PAPERHUB_TEST_POSTGRES_URL" ]; then \
		echo "== the same suite on PostgreSQL =="; \
		DATABASE_URL="$$PAPERHUB_TEST_POSTGRES_URL" $(BIN)/pytest; \
	else \
		echo "PostgreSQL suite skipped: set PAPERHUB_TEST_POSTGRES_URL (docs/operations.md)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check paperhub tests bench
	$(BIN)/mypy paperhub

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
