# The course's one entry point. `make book` and `make test` do all set-up on a fresh machine
# that has Python 3.11+, make and access to the package index.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
CK     := $(VENV)/bin/coursekit

.PHONY: help setup book test lint release grade formgrader feedback bench browser sandbox dist clean

help:
	@echo "make book                      build the course site into _build/html"
	@echo "make test                      lint + the whole test suite (builds the site, grades notebooks)"
	@echo "make release                   regenerate assignments/ from solutions/ with nbgrader"
	@echo "make grade SUBMISSIONS=<dir>   autograde a class, write feedback, grades CSV and a report"
	@echo "make formgrader [PORT=n]       nbgrader's formgrader on the course: grade written answers by hand"
	@echo "make feedback [ASSIGNMENT=id]  regenerate feedback, grades CSV and exports after grading by hand"
	@echo "make bench                     benchmarks, as ratios against baselines measured in the same run"
	@echo "make dist                      the student wheel of coursekit (no grader, no solutions) in dist/"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed; set PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[course,test]"
	@touch $(STAMP)

setup: $(STAMP)

book: $(STAMP)
	$(CK) build

# The site's browser tests: Debian's chromium + chromium-driver and axe-core (npm, into .cache/browser),
# installed when missing and possible.
browser:
	@bash .ci/install-browser

# The grader's sandbox: Debian's bubblewrap, installed when missing and possible.
sandbox:
	@bash .ci/install-sandbox

lint: $(STAMP)
	$(VENV)/bin/ruff check coursekit tests

test: $(STAMP) browser sandbox lint
	$(PY) -m pytest

release: $(STAMP)
	$(CK) release

grade: $(STAMP) sandbox
	@test -n "$(SUBMISSIONS)" || (echo "usage: make grade SUBMISSIONS=<folder of submissions> [ASSIGNMENT=<id>] [FORCE=1] [JOBS=n] [SCHEDULER=tcp://host:port]"; exit 2)
	$(CK) grade "$(SUBMISSIONS)" $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT),) $(if $(FORCE),--force,) $(if $(JOBS),--jobs $(JOBS),) $(if $(SCHEDULER),--scheduler $(SCHEDULER),) $(if $(ROSTER),--roster $(ROSTER),)

# Hand-grading: formgrader on the course (127.0.0.1, prints its URL with the token; Ctrl-C stops it), then
# feedback and grades regenerated from the gradebook.
formgrader: $(STAMP)
	$(CK) formgrader $(if $(PORT),--port $(PORT),)

feedback: $(STAMP)
	$(CK) feedback $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT),)

dist: $(STAMP)
	$(CK) dist

bench: $(STAMP)
	$(PY) -m coursekit.bench

clean:
	rm -rf _build grading artifacts dist .pytest_cache .ruff_cache .cache
