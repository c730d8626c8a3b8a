# The two commands of the README: `make demo` bakes the default project and starts
# its chat server; `make test` runs every test of the template (tox: lint, py312, py311,
# py313).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PORT ?= 8080
# make demo ADDRESS=0.0.0.0 lets other machines in
ADDRESS ?= 127.0.0.1
# tox looks for python3.11, python3.12 and python3.13 on PATH; pyenv keeps them here
export PATH := $(subst $() ,:,$(wildcard $(HOME)/.pyenv/versions/3.11*/bin $(HOME)/.pyenv/versions/3.12*/bin $(HOME)/.pyenv/versions/3.13*/bin)):$(PATH)

.PHONY: demo test test-fast lint lock clean

# the template's tools: uv from PyPI (pip checks its hashes), then uv installs the
# rest, every package checked against the hashes of requirements-dev.txt
$(VENV)/.installed: requirements-dev.txt
	if [ ! -d $(VENV) ]; then $(PYTHON) -m venv $(VENV); fi
	awk '/^uv==/ {keep = 1; print; next} keep && /^ / {print; next} {keep = 0}' requirements-dev.txt > $(VENV)/uv.txt
	$(VENV)/bin/python -m pip install -q --require-hashes --no-deps -r $(VENV)/uv.txt
	$(VENV)/bin/uv pip install -q --python $(VENV)/bin/python --require-hashes -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/cookiecutter --no-input --overwrite-if-exists . -o demo port=$(PORT)
	cd demo/chat && $(MAKE) setup && . venv/bin/activate && inv server --port=$(PORT) --address=$(ADDRESS)

test: $(VENV)/.installed
	$(VENV)/bin/tox run -qq -e lint,py312,py311,py313

test-fast: $(VENV)/.installed
	$(VENV)/bin/pytest -m "not slow"

# every pin, with hashes: requirements-dev.txt from requirements-dev.in, then the
# baked projects' requirements.txt and dev.txt (UPGRADE=1: the newest versions allowed)
lock: $(VENV)/.installed
	$(VENV)/bin/python .dev/lock.py

lint: $(VENV)/.installed
	$(VENV)/bin/tox run -qq -e lint

clean:
	rm -rf $(VENV) .tox demo
