# The two commands a newcomer needs: `make run` and `make test`. Everything is installed into .venv.
VENV        := .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
STAMP       := $(VENV)/.installed
HOST        ?= 127.0.0.1
PORT        ?= 8000
PYTEST_ARGS ?=

export CBRNET_DEBUG ?= true

.PHONY: run test install lint format messages clean bench

$(STAMP): pyproject.toml
	@PYTHON_BIN=$$(sh scripts/find-python.sh) && echo "Using $$PYTHON_BIN" && \
	  { [ -x $(PY) ] || $$PYTHON_BIN -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,rq,server,bench]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p var
	$(BIN)/cbrnet migrate --no-input
	$(BIN)/cbrnet demo
	$(BIN)/cbrnet collectstatic --no-input --verbosity 0
	@$(BIN)/cbrnet demo --logins
	@echo "Serving on http://$(HOST):$(PORT)/ (the task worker and the scheduler run beside it; Ctrl-C stops all)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/cbrnet db_worker --queue-name '*' >var/worker.log 2>&1 & \
	  $(BIN)/cbrnet periodic --every 60 >var/periodic.log 2>&1 & \
	  $(BIN)/cbrnet runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/cbrnet check --fail-level WARNING
	$(BIN)/cbrnet makemigrations --check --dry-run
	$(BIN)/ruff check cbrnet benchmarks
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check cbrnet benchmarks
	$(BIN)/ruff format --check cbrnet benchmarks

format: $(STAMP)
	$(BIN)/ruff format cbrnet benchmarks
	$(BIN)/ruff check --fix cbrnet benchmarks

# Catalogues live in cbrnet/locale (LOCALE_PATHS); run from cbrnet/ so that only the package is scanned
# (not .venv, var/ or benchmarks/). The .mo files are committed: nobody needs gettext to run the app.
# docs/translations.md says how to translate what this adds.
messages: $(STAMP)
	cd cbrnet && ../$(BIN)/cbrnet makemessages -l fr -l ru -l ar --no-obsolete \
	  -i "surveillance/detection/*" -i "tests/*" && ../$(BIN)/cbrnet compilemessages

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) var build *.egg-info
