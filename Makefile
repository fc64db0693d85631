# The README's two commands: `make demo` and `make test`. Both install what is missing first:
# a virtualenv with the package, and the pinned cue CLI in .tools/bin when no cue of that
# version is on PATH.
SHELL := /bin/bash
CUE_VERSION := v0.17.1
# helm renders helmchart components (`helm template` of local charts only); tests that need
# it are skipped without it.
HELM_VERSION := v3.22.0
TOOLS := $(CURDIR)/.tools
VENV := $(CURDIR)/.venv
PYTHON ?= python3
export PATH := $(TOOLS)/bin:$(VENV)/bin:$(PATH)
export GOBIN := $(TOOLS)/bin

.PHONY: demo test forms-deps tools venv bench schemas check-schemas lint golden docs clean FORCE

demo: tools venv
	@oam-render render -f examples/quickstart/app.yaml

test: tools venv forms-deps
	tox -e py,lint

# The Node packages tests/schema/test_forms.py renders the schemas with (react-jsonschema-form,
# JSON Forms, Ajv), at the versions package-lock.json pins, in tests/schema/forms/node_modules.
# Without node the test is skipped (with its reason), so this only warns.
FORMS := tests/schema/forms
forms-deps:
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "warning: npm is not on PATH: the form-builder tests are skipped" >&2; \
	elif ! cmp -s $(FORMS)/package-lock.json $(FORMS)/node_modules/.installed-lock 2>/dev/null; then \
		echo "installing the form-builder test packages into $(FORMS)/node_modules (npm ci)"; \
		cd $(FORMS) && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.installed-lock; \
	fi

tools:
	@if cue version 2>/dev/null | grep -q "cue version $(CUE_VERSION)\b"; then \
		echo "cue $(CUE_VERSION): $$(command -v cue)"; \
	elif command -v go >/dev/null 2>&1; then \
		echo "installing cue $(CUE_VERSION) into $(TOOLS)/bin (go install)"; \
		mkdir -p $(TOOLS)/bin && go install cuelang.org/go/cmd/cue@$(CUE_VERSION); \
	else \
		echo "error: cue $(CUE_VERSION) is not on PATH and Go (>= 1.25) is not installed to build it;" >&2; \
		echo "       install Go, or put cue $(CUE_VERSION) on PATH, then run this again" >&2; \
		exit 1; \
	fi
	@if helm version --short 2>/dev/null | grep -Eq "^$(basename $(HELM_VERSION))(\.0)?(\+|$$)"; then \
		echo "helm $(HELM_VERSION): $$(command -v helm)"; \
	elif command -v go >/dev/null 2>&1; then \
		echo "installing helm $(HELM_VERSION) into $(TOOLS)/bin (go install; a few minutes)"; \
		mkdir -p $(TOOLS)/bin && go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION); \
	else \
		echo "warning: helm $(HELM_VERSION) is not on PATH and Go is not installed to build it;" >&2; \
		echo "         helmchart components cannot render, and their tests are skipped" >&2; \
	fi

venv: $(VENV)/.installed

# An editable install in setuptools' strict mode: a tree of links to the sources under build/,
# which mypy and other static tools see from outside the repository (the default mode is an
# import hook they cannot follow). The link tree lists the package's files as they were: when
# one is added or removed, .sources changes and the package is installed again.
SOURCES := $(sort $(shell find engine -name '*.py' -not -path '*/__pycache__/*'))

$(VENV)/.sources: FORCE
	@mkdir -p $(VENV)
	@echo '$(SOURCES)' | cmp -s - $@ || echo '$(SOURCES)' > $@

$(VENV)/.installed: pyproject.toml $(VENV)/.sources
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check \
		--config-settings editable_mode=strict -e '.[test,lint,docs]' tox
	@touch $@

bench: tools venv
	python benchmarks/bench.py $(BENCH_ARGS)

lint: venv
	ruff check engine tests benchmarks
	mypy engine

schemas: tools venv
	python -c "from engine.cue import Cue; from engine.schema.store import generate, write; \
	print(len(write(generate(Cue()))), 'schema files written under schemas/')"

# The API reference of the public names (engine.__all__), from their docstrings, offline.
docs: venv
	pdoc --docformat markdown --footer-text "oam-render $$(python -c 'import engine; print(engine.__version__)')" \
		--output-directory build/api ./engine '!engine\..*'
	@echo "API reference: build/api/engine.html"

golden: tools venv
	pytest tests/render/test_golden.py --update-golden -q

clean:
	rm -rf $(VENV) $(TOOLS) .tox build *.egg-info
