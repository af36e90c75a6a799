# lattice-cdktf: `make synth` and `make test` install everything they need first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_NOSPIN := 1
export PIPENV_YES := 1
export PIPENV_VERBOSITY := -1
# jsii's banners about Node 20 (past its support date on these machines)
export CHECKPOINT_DISABLE := 1
# Where terraform finds hashicorp/aws offline: set LATTICE_TF_PROVIDER_MIRROR yourself,
# or the targets that run terraform (test, bench) look for one once and remember it in
# .build/provider-mirror. Other targets never search.
FIND_MIRROR ?= scripts/find-provider-mirror
MIRROR_CACHE := .build/provider-mirror
provider_mirror = $(or $(LATTICE_TF_PROVIDER_MIRROR),$(shell $(FIND_MIRROR) $(MIRROR_CACHE)))

# pipenv belongs to the interpreter the virtualenv was made from, not to the virtualenv:
# under `pipenv shell` or `pipenv run` (the tests run make that way) python3 is the
# project's .venv, which has no pipenv, so use the base interpreter behind it.
PYTHON ?= $(shell python3 -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')
PIPENV := $(PYTHON) -m pipenv

# Every command that writes, writes only what this project wrote (a marker proves it;
# safe_io/ownership.py): `make clean` removes the folders of lattice_model/project.py
# (GENERATED_FOLDERS) with that proof, and none while one holds Terraform state.
# FORCE=1 lets `make pipeline` overwrite a workflow git tracks or that it did not write.

.PHONY: help install synth synth-hcl diff deploy test test-fast snapshots docs matrix scan pipeline bench bench-1000 clean outdated

help:
	@echo "make synth      install, copy examples/lattice.toml to lattice.toml if you have none, synthesize every stack into cdktf.out/"
	@echo "make test       install, then run the whole test suite (what CI runs)"
	@echo "make test-fast  the tests that need neither terraform nor a synth of the whole app (about a minute)"
	@echo "make synth-hcl  plain HCL through the cdktf CLI (cdktf synth --hcl)"
	@echo "make diff       synthesize once, then cdktf diff every stack in deploy order"
	@echo "make deploy     cdktf deploy '*': every stack, in deploy order"
	@echo "make snapshots  rewrite tests/snapshots/ after an intended change"
	@echo "make docs       regenerate the lattice_check sessions of README.md and docs/, docs/config-reference.md, docs/versions.md, docs/lattice.svg, docs/pipeline.example.yml (from examples/lattice.toml)"
	@echo "make pipeline   write .github/workflows/lattice-cdktf.yml (plan on pull requests, deploy from main, OIDC per account), checked by actionlint"
	@echo "make matrix     lattice_check matrix of every pattern (tests/matrices/) on examples/lattice.toml and its variants, synthesized under .build/"
	@echo "make scan       checkov over cdktf.out, with the project's suppressions applied"
	@echo "make bench      synth cost against its floor, scaling to 100 services, terraform per stack"
	@echo "make bench-1000 the same with the 1,000-service scaling row (several minutes more)"
	@echo "make outdated   every pinned version (pins/ledger.toml) with the days left of its support; offline"
	@echo "make clean      remove what the build wrote (cdktf.out, examples.out, .build, .venv, node_modules, .pytest_cache), never Terraform state"

install: .venv/.installed node_modules/.installed .venv/.jsii-cache

.venv/.installed: Pipfile.lock
	@$(PYTHON) -m pipenv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check pipenv
	@# the README's `pipenv run ...` needs the command on PATH: pyenv makes its shim on rehash
	@command -v pipenv >/dev/null 2>&1 || { command -v pyenv >/dev/null 2>&1 && pyenv rehash; } || true
	@command -v pipenv >/dev/null 2>&1 || echo "note: pipenv is installed for $(PYTHON) but not on PATH; add $$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("scripts"))') to PATH for the README's pipenv commands"
	@echo "installing the Python packages of Pipfile.lock into .venv (pipenv sync: about a minute the first time) ..."
	$(PIPENV) sync --dev
	@touch $@  # the stamp make clean takes as proof that make install wrote .venv

node_modules/.installed: package.json package-lock.json
	@echo "installing the cdktf CLI and Node 22 of package-lock.json into node_modules (npm ci: about 30 s the first time) ..."
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@  # the stamp make clean takes as proof that make install wrote node_modules

# jsii's package cache holding each assembly with its runtime index (tools/warm_jsii.py):
# a few seconds, once per install of the packages (the mark lives in .venv), instead
# of on the first synth.
.venv/.jsii-cache: .venv/.installed node_modules/.installed
	@echo "filling jsii's package cache (a few seconds, once per install) ..."
	$(PIPENV) run python -m tools.warm_jsii
	@touch $@

# Your config: a copy of the shipped one, made once and never overwritten (no
# prerequisite, so a newer examples/lattice.toml does not replace your edits).
lattice.toml:
	@cp --no-clobber examples/lattice.toml $@
	@echo "made $@ from examples/lattice.toml: put your account ids in it (it is yours: git ignores it, make never rewrites it)"

synth: install lattice.toml
	$(PIPENV) run python main.py

synth-hcl: install lattice.toml
	npx cdktf synth --hcl

diff: install lattice.toml
	npx cdktf synth
	@for stack in $$($(PIPENV) run python -m tools.stack_order cdktf.out); do \
	  echo "== $$stack"; npx cdktf diff --skip-synth $$stack || exit $$?; done

deploy: install lattice.toml
	npx cdktf deploy '*'

# On every core, at most four workers (each synthesizes the default app once), a test
# file per worker so that a file's shared synth and terraform runs happen once.
PARALLEL := -n auto --maxprocesses 4 --dist loadfile

test: install
	LATTICE_TF_PROVIDER_MIRROR="$(provider_mirror)" $(PIPENV) run python -m pytest $(PARALLEL)

test-fast: install
	$(PIPENV) run python -m pytest $(PARALLEL) -m "not slow"

snapshots: install
	$(PIPENV) run python -m pytest tests/patterns/test_snapshots.py --update-snapshots

docs: install
	$(PIPENV) run python -m tools.docs

pipeline: synth
	$(PIPENV) run python -m tools.pipeline $(if $(FORCE),--force) .github/workflows/lattice-cdktf.yml
	$(PIPENV) run actionlint .github/workflows/lattice-cdktf.yml

matrix: install
	$(PIPENV) run python -m tools.matrix_variants

scan: synth
	$(PIPENV) run python -m tools.security_scan cdktf.out

# BENCH: options of bench/synth_bench.py (make bench BENCH="--runs 1 --scale 1 --no-terraform": a short run)
bench: install
	LATTICE_TF_PROVIDER_MIRROR="$(provider_mirror)" $(PIPENV) run python bench/synth_bench.py $(BENCH)

bench-1000: install
	LATTICE_TF_PROVIDER_MIRROR="$(provider_mirror)" $(PIPENV) run python bench/synth_bench.py --scale 1 10 100 1000

clean:
	@$(PYTHON) -m tools.clean

outdated:
	@$(PYTHON) -m pins
