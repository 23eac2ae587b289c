# Two entry points for a fresh machine: `make run` (web chat over the bundled corpus) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: install index run test test-fast eval browser clean

# torch==2.13.0 first: it takes the CPU wheel on disk; an unpinned torch pulled in by
# sentence-transformers would download several GB of CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/assistant build --corpus corpus --index index

run: index
	$(BIN)/assistant web --index index --host $(HOST) --port $(PORT)

# Debian's chromium for the end-to-end browser test (no browser download by playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "chromium missing: the browser test will be skipped (install Debian's chromium)"; fi; }

test: install browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

eval: index
	$(BIN)/assistant eval eval/questions.jsonl --index index --out eval/out

clean:
	rm -rf $(VENV) index data eval/out
