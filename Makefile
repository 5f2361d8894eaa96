# The two entry points the README promises: `make demo` and `make test`. Both set up what they need.
PYTHON := .venv/bin/python
SHELL := /bin/bash

.PHONY: setup test unit demo bench clean check-images

setup:
	bash scripts/setup.sh

# Everything: the curated images are in sync, then unit tests and the integration tests (real Docker,
# real Go, real images).
test: setup check-images
	$(PYTHON) -m pytest -q

# images/: each committed lock and rendered file (CI configs included) must match its spec.
check-images: setup
	for spec in images/*/envbuilder.yaml; do \
	  .venv/bin/envbuilder lock --check -f $$spec && .venv/bin/envbuilder render --check -f $$spec || exit 1; \
	done

# Fast feedback: no Docker, no Go downloads.
unit: setup
	$(PYTHON) -m pytest -q -m "not integration"

# The main job on the bundled example: lock, render, build and show the image.
demo: setup
	bash scripts/demo.sh

bench: setup
	for b in bench/bench_*.py; do $(PYTHON) $$b || exit 1; done

clean:
	rm -rf .venv .pytest_cache build *.egg-info
