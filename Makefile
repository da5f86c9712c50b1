# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=

.PHONY: run test lint format bench clean lock

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[server]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(PY) run.py $(ARGS)

# Two workers: the machine's two cores (the suite takes about half as long).
test: $(VENV)/.installed-dev
	$(PY) -m pytest -n 2

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(VENV)/.installed-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Every script runs, whatever the one before found; the exit status says whether all passed.
bench: $(VENV)/.installed
	status=0; for script in calls generic overhead http state fixture; do \
	  echo "== bench/bench_$$script.py"; $(PY) bench/bench_$$script.py || status=1; \
	done; exit $$status

# The versions installed now, as the constraints every install uses (after a change of
# pyproject.toml's dependencies: install, run the suite, then lock).
lock: $(VENV)/.installed-dev
	{ echo "# The versions \`make run\`, \`make test\` and CI install (pip's -c): the ones the suite was last run with."; \
	  echo "# Regenerate after changing pyproject.toml's dependencies: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^klaviyo-mock'; } > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
