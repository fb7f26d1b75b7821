# Two commands on a fresh machine: `make demo` (set up, then run the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Debian packages the tests use: a browser for the HTML graphs, a CJK font for Chinese chart labels, Java for Spark
SYSTEM_PACKAGES := chromium fonts-wqy-microhei default-jre-headless

.PHONY: demo test lab bench images setup system-packages
setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --editable '.[test,spark]'
	rm -f $(VENV)/.installed-* && touch $@

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "missing Debian packages:$$missing (sudo apt-get install$$missing); their tests will be skipped"; fi; \
	fi

demo: $(STAMP)
	$(VENV)/bin/netgraph demo --out demo-out

# Neo4j's own Cypher parser (npm), which the tests use to syntax-check every statement sent to Neo4j
tests/neo4j/node_modules: tests/neo4j/package-lock.json
	npm ci --prefix tests/neo4j --no-audit --no-fund --loglevel=error && touch $@

test: $(STAMP) system-packages tests/neo4j/node_modules
	$(VENV)/bin/python -m pytest

# The demo's pictures again: docs/img and the references of tests/test_pictures.py (after a change to a picture)
images: $(STAMP)
	$(VENV)/bin/python docs/make_images.py --out docs/img --references tests/data/pictures

# JupyterLab with widgets (progress bars), opened on the course in notebooks/
lab: $(STAMP)
	$(VENV)/bin/pip install --quiet --editable '.[test,lab]'
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(VENV)/bin/pip install --quiet --editable '.[test,bench]'
	$(VENV)/bin/python benchmarks/analytics.py
	$(VENV)/bin/python benchmarks/leads.py
	$(VENV)/bin/python benchmarks/resolution.py
	$(VENV)/bin/python benchmarks/ingest.py --sizes 10000 100000
