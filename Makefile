# The README's two commands: `make demo` and `make test`. Both install what is missing first:
# a virtualenv with the package, and the pinned cue CLI in .tools/bin when no cue of that
# version is on PATH.
SHELL := /bin/bash
CUE_VERSION := v0.17.1
TOOLS := $(CURDIR)/.tools
VENV := $(CURDIR)/.venv
PYTHON ?= python3
export PATH := $(TOOLS)/bin:$(VENV)/bin:$(PATH)
export GOBIN := $(TOOLS)/bin

.PHONY: demo test tools venv bench schemas check-schemas lint golden clean

demo: tools venv
	@oam-render render -f examples/quickstart/app.yaml

test: tools venv
	tox -e py,lint

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

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test,lint]' tox
	@touch $@

bench: tools venv
	python benchmarks/bench.py $(BENCH_ARGS)

lint: venv
	ruff check engine tests benchmarks
	mypy engine

schemas: tools venv
	python -c "from engine.cue import Cue; from engine.schema.store import generate, write; \
	print(len(write(generate(Cue()))), 'schema files written under schemas/')"

golden: tools venv
	pytest tests/render/test_golden.py --update-golden -q

clean:
	rm -rf $(VENV) $(TOOLS) .tox build *.egg-info
