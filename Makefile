# shipyard.aws — every target does its own setup, idempotently, on a fresh machine.
#
#   make demo        the main job on the embedded local environment (AWS emulator + PostgreSQL)
#   make test        the whole test suite (unit, integration, lint, sanity)
#   make setup       only the setup: .venv, pip installs, the collection path, system packages, Terraform CLI config
#   make local-up    start the AWS emulator (127.0.0.1:$SHIPYARD_LOCAL_AWS_PORT, default 4566) and PostgreSQL
#   make local-down  stop exactly what local-up started
#   make lint        ansible-lint (production profile), yamllint, changelog fragments, terraform fmt + validate
#                    + checkov, and that the generated diagrams are current
#   make sanity      ansible-test sanity on Python 3.11
#   make bench       benchmarks (results in bench/results/, table in docs/benchmarks.md); about 50 min,
#                    BENCH_REPEAT / BENCH_STACK_REPEAT (default 3 each) set the rounds per graph
#   make diagrams    regenerate the architecture pictures (docs/architecture.md, README) from the inventories
#   make docs        regenerate docs/configuration.md from the roles' argument specs and the inventories
#   make changelog   rebuild CHANGELOG.rst from changelogs/fragments
#   make molecule    the molecule scenarios (extensions/molecule) on localhost against the emulator

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
TERRAFORM ?= terraform
VENV := .venv
BIN := $(VENV)/bin
STATE := .shipyard
COLLECTION_ROOT := $(STATE)/collections
COLLECTION_LINK := $(COLLECTION_ROOT)/ansible_collections/shipyard/aws
SANITY_ROOT := $(STATE)/sanity/ansible_collections/shipyard/aws
SANITY_VENV := $(STATE)/sanity-venv
SYSTEM_PACKAGES := buildah postgresql shellcheck

# Terraform: the project's own CLI config; hashicorp/aws from a filesystem mirror when this machine has one.
TF_PROVIDER_MIRROR ?= $(shell tools/find-provider-mirror)
export TF_PROVIDER_MIRROR
export TF_CLI_CONFIG_FILE := $(CURDIR)/$(STATE)/terraform/cli.tfrc
export TF_PLUGIN_CACHE_DIR := $(CURDIR)/$(STATE)/terraform/plugin-cache
export PYTHONPATH := $(CURDIR)/tools
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# The collection's own requirements pin what the tests run with; pip's user config must not add more.
export PIP_DISABLE_PIP_VERSION_CHECK := 1

REQUIREMENTS_STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-test.txt | sha256sum | cut -c1-16)

.PHONY: help setup venv system-packages collection-path terraform-config local-up local-down local-status \
        demo test test-pytest test-checks unit integration lint diagrams docs changelog sanity bench collection-build clean molecule

help:
	@sed -n '2,16p' Makefile | sed 's/^# \{0,1\}//'

setup: venv system-packages collection-path terraform-config

venv: $(REQUIREMENTS_STAMP)

$(REQUIREMENTS_STAMP): requirements.txt requirements-test.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "shipyard.aws needs Python >= 3.11; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=24'
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-test.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

system-packages:
	@missing=""; \
	command -v buildah >/dev/null || missing="$$missing buildah"; \
	{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; } || missing="$$missing postgresql"; \
	command -v shellcheck >/dev/null || missing="$$missing shellcheck"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
	  echo "missing system packages:$$missing — install them (Debian/Ubuntu: sudo apt-get install$$missing); the tests that need them will fail until then"; \
	fi

collection-path:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@test -L $(COLLECTION_LINK) || ln -sfn ../../../.. $(COLLECTION_LINK)

terraform-config: venv
	@# Written where TF_CLI_CONFIG_FILE (above) points, even when SHIPYARD_STATE_DIR moves the emulator's files elsewhere.
	@SHIPYARD_STATE_DIR=$(CURDIR)/$(STATE) $(BIN)/python -m localenv terraform-config --binary $(TERRAFORM) >/dev/null

local-up: setup
	@$(BIN)/python -m localenv up

local-down:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m localenv down; else echo "nothing to stop (no $(VENV))"; fi

local-status: venv
	@$(BIN)/python -m localenv status

# site.yml ends with a summary and leaves a report (JSON + timeline page) under reports/.
demo: local-up
	$(BIN)/ansible-playbook -i inventories/local playbooks/site.yml

unit: setup
	$(BIN)/python -m pytest tests/unit

# How pytest spreads the integration tests over workers: by group (tests/integration/conftest.py names the groups and
# puts the longest first; --no-loadscope-reorder keeps that order). PYTEST_WORKERS: see `test` below.
PYTEST_PARALLEL = -n $${PYTEST_WORKERS:-3} --dist loadgroup --no-loadscope-reorder

integration: setup
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) tests/integration

# The whole suite: pytest, and beside it the checks (lint, sanity, the molecule scenarios). Much of pytest's time is
# Terraform's provider waiting on the emulator (its fixed delays and polls), which leaves cores for the checks, and
# for a third pytest worker on two cores (PYTEST_WORKERS, default 3: with 2 the cores stood idle a quarter of the time
# in the suite's second half).
# Each half prints its output when it ends; either failing fails the target.
test: setup
	@$(MAKE) -j2 --output-sync=recurse test-pytest test-checks

# Every Go program the suite runs (Terraform and hashicorp/aws outside the role too, buildah, the Session Manager
# plugin) with GOGC=400, as terraform_stack runs Terraform (terraform_stack_go_gc): about a third less CPU for
# Terraform on the two cores the suite shares. `make bench` keeps Go's default for the loops it compares against.
test-pytest test-checks integration unit: export GOGC = 400

test-pytest: setup
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) --durations=30 tests/unit tests/integration

test-checks: setup
	$(MAKE) lint sanity molecule

# The molecule scenarios (extensions/molecule, docs/molecule.md). The default scenario starts an AWS emulator and a
# PostgreSQL of their own for the run; destroying it first stops whatever an interrupted earlier run left behind.
molecule: setup
	$(BIN)/molecule destroy -s default
	$(BIN)/molecule test --all

lint: setup
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --profile production
	$(BIN)/antsibull-changelog lint
	$(TERRAFORM) fmt -check -recursive tests/integration/terraform
	$(TERRAFORM) fmt -check -recursive terraform
	TERRAFORM=$(TERRAFORM) tools/terraform-validate
	$(BIN)/checkov --skip-download --quiet --compact --framework terraform -d terraform
	$(BIN)/python -m diagrams --check
	$(BIN)/python -m configref --check

# The pictures in docs/architecture.md and the README, generated from the inventories' component graphs.
diagrams: venv
	$(BIN)/python -m diagrams

# docs/configuration.md, generated from the roles' argument specs and the inventories' group_vars.
docs: venv
	$(BIN)/python -m configref

# CHANGELOG.rst from changelogs/fragments. The fragments are kept (changelogs/config.yaml: keep_fragments), so this
# rebuilds the release of galaxy.yml's version from them: a new or edited fragment only needs `make changelog`.
changelog: setup
	$(BIN)/antsibull-changelog release --reload-plugins --refresh-fragments
	@rm -f changelogs/.plugin-cache.yaml

# ansible-test needs the collection at .../ansible_collections/shipyard/aws as a real directory, so it
# runs on a fresh copy of the files git would ship (tracked and new, not ignored), in a git repository
# of its own (ansible-test lists its targets with git). The dependencies are linked beside it from the
# `ansible` package. ansible-test runs from a virtualenv of its own (.shipyard/sanity-venv, same ansible-core)
# with --local --requirements: its --venv mode downloads a pip bootstrap script from outside PyPI.
sanity: setup $(SANITY_VENV)/.ready
	@rm -rf $(STATE)/sanity && mkdir -p $(SANITY_ROOT)
	@git ls-files -z --cached --others --exclude-standard \
	  | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C $(SANITY_ROOT)
	@cd $(SANITY_ROOT) && git init -q && git add -A
	@for ns in amazon community ansible; do \
	  ln -sfn "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections/$$ns" \
	    $(STATE)/sanity/ansible_collections/$$ns; done
	cd $(SANITY_ROOT) && $(CURDIR)/$(SANITY_VENV)/bin/ansible-test sanity --local --requirements --python 3.11 --color no

$(SANITY_VENV)/.ready: $(REQUIREMENTS_STAMP) tools/get_pip_offline.py
	@rm -rf $(SANITY_VENV)
	$(PYTHON) -m venv $(SANITY_VENV)
	$(SANITY_VENV)/bin/python -m pip install --quiet --upgrade 'pip>=24'
	$(SANITY_VENV)/bin/python -m pip install --quiet "ansible-core==$$($(BIN)/python -c 'import ansible.release; print(ansible.release.__version__)')"
	@version=$$($(SANITY_VENV)/bin/python -c 'import inspect, re, ansible_test._internal.python_requirements as r; \
	  print(re.search(r"pip=.([0-9.]+).", inspect.getsource(r.get_venv_packages)).group(1))'); \
	  cache="$$HOME/.ansible/test/cache/get_pip_$${version//./_}.py"; \
	  mkdir -p "$$(dirname "$$cache")"; \
	  if [ ! -f "$$cache" ] || grep -q "Stand-in for the pip bootstrap script" "$$cache"; then cp tools/get_pip_offline.py "$$cache"; fi
	@touch $@

# Benchmarks (not tests): results under bench/results/, the table in docs/benchmarks.md.
bench: setup
	$(BIN)/python bench/engine.py --repeat $${BENCH_REPEAT:-3} --stack-repeat $${BENCH_STACK_REPEAT:-3}
	$(BIN)/python bench/images.py --repeat $${BENCH_REPEAT:-3}
	$(BIN)/python bench/migrations.py --repeat $${BENCH_REPEAT:-3}

collection-build: setup
	$(BIN)/ansible-galaxy collection build --force --output-path $(STATE)/dist .

clean: local-down
	rm -rf $(STATE) $(VENV) tests/output
