# KPI Tracker: `make run` starts the app with demo data; `make test` runs everything CI runs.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-test run test lint format messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	./scripts/system-deps run
	$(BIN)/pip install -q -e .
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv -v0

install-test: $(BIN)/python
	./scripts/system-deps test
	$(BIN)/pip install -q -e ".[test]"

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@echo "เปิด http://127.0.0.1:8000 แล้วเข้าสู่ระบบด้วยผู้ใช้ข้างต้น / open http://127.0.0.1:8000 and log in as above"
	DEMO_INSTALLATION=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-test
	./scripts/test

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# After adding or changing a UI string: refresh the .po (new msgids come in empty; write their
# English in locale/en/LC_MESSAGES/django.po itself), then `make test` checks none is left.
messages:
	$(BIN)/python manage.py makemessages -l en $(MESSAGES_IGNORE) --no-obsolete --add-location=file
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv -v0

MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=test-artifacts --ignore=media --ignore=staticfiles

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .
