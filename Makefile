PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The top-level packages present (whatif/ and exports/ join the checks once they exist).
PACKAGES := $(wildcard scheduler solver whatif exports api)

.PHONY: run test bench lint serve clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[service,postgres,ray,plot,highs,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gezinsrooster demo

test: lint
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || echo "chromium could not be installed: the browser tests will be skipped"
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder

bench: $(STAMP)
	$(BIN)/python -m bench

# Style, types and the architecture contract; `make test` runs these first.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(PACKAGES) .ci/layers
	$(BIN)/python .ci/layers

serve: $(STAMP)
	$(BIN)/gezinsrooster serve

clean:
	rm -rf $(VENV) out
