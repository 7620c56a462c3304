# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench crash-test audit messages postgres-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# Serve the demo programme on 127.0.0.1:$(PORT) with the embedded SQLite database. The demo
# shows instructions 48 h ahead, so whoever schedules a crossing sees them the same day.
PORT ?= 8000
run: $(STAMP)
	$(BIN)/safepassage migrate --no-input
	$(BIN)/safepassage createcachetable
	PORT=$(PORT) $(BIN)/safepassage seed-demo
	SAFEPASSAGE_INSTRUCTION_LEAD_HOURS=$${SAFEPASSAGE_INSTRUCTION_LEAD_HOURS:-48} \
		$(BIN)/safepassage runserver 127.0.0.1:$(PORT)

# The whole suite on SQLite; with SAFEPASSAGE_DATABASE_URL set, on that database.
test: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy src tests
	$(BIN)/python tools/check_messages.py
	$(BIN)/pytest -n 2 -q

# The same suite on the local PostgreSQL, in a database made fresh for the run.
postgres-test: $(STAMP)
	SAFEPASSAGE_DATABASE_URL=$${SAFEPASSAGE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/safepassage} \
		$(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy src tests

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench tools
	$(BIN)/ruff format src tests bench tools

# The real server under load (gunicorn, production settings), a million cases for the staff
# console, and the in-process figures; several minutes. Writes bench/results/latest.json.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# kill -9 the server 20 times under a burst of applications; then nothing acknowledged may be
# missing and nothing half-written. Writes bench/results/crash.json.
crash-test: $(STAMP)
	$(BIN)/python bench/crash.py --kills 20

# pip-audit over every pinned dependency, from a tool environment of its own so that its
# dependencies never mix with the project's.
AUDIT := .venv-audit
audit:
	test -x $(AUDIT)/bin/pip-audit || ($(PYTHON) -m venv $(AUDIT) || python3 -m venv $(AUDIT))
	$(AUDIT)/bin/pip install --quiet -c tools/audit-constraints.txt pip-audit
	$(AUDIT)/bin/python tools/audit_dependencies.py

# Extract new strings and recompile the catalogues (needs GNU gettext).
messages: $(STAMP)
	cd src/safepassage && ../../$(BIN)/django-admin makemessages -l ru -l en -l uk -l be --no-obsolete --settings=safepassage.settings
	cd src/safepassage && ../../$(BIN)/django-admin compilemessages --settings=safepassage.settings

clean:
	rm -rf $(VENV) $(AUDIT) var/demo.sqlite3*
