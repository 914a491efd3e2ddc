# Two commands do all set-up on a fresh machine with Python >= 3.11 and make:
#   make run   - install into .venv, migrate, load demo data, start web + Celery worker with beat
#   make test  - install into .venv (with test tools) and run the test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck check messages diagrams benchmark clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py run_embedded --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

check: lint typecheck
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l nb --no-location --no-obsolete -i '.venv/*' -i 'var/*'
	$(PY) manage.py compilemessages -l nb -i '.venv' -i 'var'

benchmark: $(VENV)/.installed
	$(PY) benchmarks/service_user_list.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
