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

.PHONY: demo test test-fast lint clean

$(VENV)/.installed: requirements-dev.txt {{cookiecutter.project_slug}}/dev.txt {{cookiecutter.project_slug}}/requirements.txt
	if [ ! -d $(VENV) ]; then $(PYTHON) -m venv $(VENV); fi
	$(VENV)/bin/python -m pip install -q -U pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/cookiecutter --no-input --overwrite-if-exists . -o demo port=$(PORT)
	cd demo/chat && $(MAKE) setup && . venv/bin/activate && inv server --port=$(PORT) --address=$(ADDRESS)

test: $(VENV)/.installed
	$(VENV)/bin/tox run -qq -e lint,py312,py311,py313

test-fast: $(VENV)/.installed
	$(VENV)/bin/pytest -m "not slow"

lint: $(VENV)/.installed
	$(VENV)/bin/tox run -qq -e lint

clean:
	rm -rf $(VENV) .tox demo
