# The README's two commands: `make run` and `make test`. Both set up the virtual
# environment themselves, so they work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint clean translations screenshots server icons

# Qt translations: the .ts sources are in the repository; the .qm files are built from them
# for the desktop (`make run`, screenshots). The tests compile their own into a temporary folder.
TS := resources/translations/fieldmark_zh_CN.ts
QM := $(TS:.ts=.qm)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(STAMP)

$(QM): $(TS) $(STAMP)
	$(BIN)/pyside6-lrelease $(TS) -qm $(QM)

# Refresh the .ts from the UI sources (keeps existing translations, drops obsolete ones).
translations: $(STAMP)
	$(BIN)/pyside6-lupdate $$(find ui -name '*.py' | sort) -ts $(TS) -no-obsolete -locations none
	$(MAKE) $(QM)

# The application icon's PNG sizes, rendered from resources/icons/fieldmark.svg, and the Windows
# .ico and macOS .icns made from them (all committed).
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/icons.py

run: $(STAMP) $(QM)
	$(BIN)/fieldmark demo --if-missing
	$(BIN)/fieldmark

# The office server on its embedded defaults (SQLite and files in ./server-data), loaded the
# first time with the demo office's units and rubrics; the admin password is printed that once.
SERVER_DATA ?= server-data
server: $(STAMP)
	$(BIN)/fieldmark-server demo --data-dir $(SERVER_DATA) --if-missing
	$(BIN)/fieldmark-server serve --data-dir $(SERVER_DATA)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(BIN)/lint-imports

# The fault-injection tests over many runs (CI runs 25 kills and 3 seeds): `make soak N=1000` kills
# the core edit operations N times with SIGKILL (tests/resilience/test_crash_consistency.py), then
# runs the sync chaos test over N/20 seeds, at least 3, on each backend (tests/server/test_sync_chaos.py),
# and as many seeds of random clocks a day apart (tests/server/test_sync_clock_skew.py, FIELDMARK_SKEW_SEEDS).
# KILLS=..., SEEDS=... or SKEWS=... sets one alone (0 skips it); BACKEND=sqlite or BACKEND=postgresql runs one
# backend. Each prints its figures. Replay with FIELDMARK_CRASH_SEED=S or FIELDMARK_CHAOS_SEED=17,42.
BACKEND ?=
KILLS ?= $(N)
SEEDS ?= $(shell n=$$(( $(N) / 20 )); [ $$n -lt 3 ] && n=3; echo $$n)
SKEWS ?= $(SEEDS)
.PHONY: soak
soak: $(STAMP)
	@if [ $(KILLS) -gt 0 ]; then \
		FIELDMARK_CRASH_KILLS=$(KILLS) $(BIN)/python -m pytest tests/resilience/test_crash_consistency.py \
			-q -s -p no:cacheprovider || exit 1; fi
	@if [ $(SEEDS) -gt 0 ]; then \
		FIELDMARK_CHAOS_SEEDS=$(SEEDS) $(BIN)/python -m pytest tests/server/test_sync_chaos.py -q -s -p no:cacheprovider \
			$(if $(BACKEND),-k $(BACKEND)) || exit 1; fi
	@if [ $(SKEWS) -gt 0 ]; then \
		FIELDMARK_SKEW_SEEDS=$(SKEWS) $(BIN)/python -m pytest tests/server/test_sync_clock_skew.py -q -p no:cacheprovider \
			-k "random$(if $(BACKEND), and $(BACKEND))" || exit 1; fi

# The UI tests N times in a row (default 20), each run a fresh process, as a crash shows up
# only now and then: `make test-ui-loop N=50`. A run killed by a signal (a segfault, an abort)
# is a crash; its log is kept. Exits non-zero if any run crashed or failed.
N ?= 20
.PHONY: test-ui-loop
test-ui-loop: $(STAMP)
	@crashes=0; failed=0; log=$${TMPDIR:-/tmp}/fieldmark-ui-loop; \
	for i in $$(seq 1 $(N)); do \
		QT_QPA_PLATFORM=offscreen PYTHONFAULTHANDLER=1 $(BIN)/python -m pytest tests/ui -q -p no:cacheprovider \
			> $$log-$$i.txt 2>&1; rc=$$?; \
		if [ $$rc -gt 128 ] || grep -q "Fatal Python error" $$log-$$i.txt; then \
			crashes=$$((crashes + 1)); echo "run $$i/$(N): CRASHED (exit $$rc), log in $$log-$$i.txt"; \
		elif [ $$rc -ne 0 ]; then \
			failed=$$((failed + 1)); echo "run $$i/$(N): tests failed (exit $$rc), log in $$log-$$i.txt"; \
		else \
			echo "run $$i/$(N): $$(tail -n 1 $$log-$$i.txt)"; rm -f $$log-$$i.txt; \
		fi; \
	done; \
	echo "$(N) runs of the UI tests: $$crashes crashed, $$failed failed"; \
	[ $$crashes -eq 0 ] && [ $$failed -eq 0 ]

# Screenshots of the real window under Xvfb, in both languages, into docs/screenshots/, and of
# the office's web pages (Debian's chromium through Playwright) into docs/screenshots/web/.
SCREEN_PACKAGES := xvfb libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-shape0 libxcb-render-util0 libxcb-image0 libegl1 chromium
screenshots: $(STAMP) $(QM)
	@missing=""; for p in $(SCREEN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends $$missing; \
		else echo "install these packages first:$$missing" >&2; exit 1; fi; \
	fi
	$(BIN)/python -m ui.screenshots --out docs/screenshots
	$(BIN)/python -m server.web.screenshots --out docs/screenshots/web
	$(BIN)/python -m server.web.dashboard_screenshots --out docs/screenshots/web
	# The visit page, on a visit a demo laptop finalized, signed, marked up and synced.
	SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/web/test_visit_page.py -k screenshots
	# Page 1 of the standardized-school sample's self-assessment form (自评表), in both languages.
	SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/app/test_self_assessment.py -k screenshots

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

# The server under load, server and clients in separate processes on loopback: pushes from 20
# laptops on SQLite, PostgreSQL and two PostgreSQL processes, then verify (bench/server.py).
# `make bench-server ARGS=--quick` for a short run. Figures are reported, never failed on.
ARGS ?=
.PHONY: bench-server
bench-server: $(STAMP)
	$(BIN)/python bench/server.py $(ARGS)

# The office dashboard's figures on PostgreSQL (127.0.0.1:5432, or FIELDMARK_BENCH_PG): 100,000
# visits and 1,000,000 item scores in a scratch database, dropped after (bench/dashboard.py);
# then the server time of the overview and ranking pages on the same load (bench/dashboard_pages.py).
.PHONY: bench-dashboard
bench-dashboard: $(STAMP)
	$(BIN)/python bench/dashboard.py $(ARGS)
	$(BIN)/python bench/dashboard_pages.py $(ARGS)

# The frozen one-folder desktop build (PyInstaller, packaging/fieldmark.spec) in dist/fieldmark/,
# and its smoke test: start it offscreen, create a profile, print a feedback PDF in Chinese with
# the bundled font, exit 0. Neither is part of `make test`.
PACKAGE_STAMP := $(VENV)/.package-stamp
DIST ?= dist
.PHONY: package package-test
$(PACKAGE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install -e '.[dev,package]'
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP) $(QM)
	$(BIN)/pyinstaller --noconfirm --clean --distpath $(DIST) --workpath build/pyinstaller packaging/fieldmark.spec
	@du -sh $(DIST)/fieldmark
	$(BIN)/python packaging/archive.py $(DIST)/fieldmark

package-test: $(PACKAGE_STAMP)
	@test -x $(DIST)/fieldmark/fieldmark || { echo "no build in $(DIST)/fieldmark: run make package first" >&2; exit 1; }
	$(BIN)/python packaging/smoke_test.py $(DIST)/fieldmark

lint: $(STAMP)
	$(BIN)/ruff check app db ui server tests bench
	$(BIN)/mypy app db server

clean:
	rm -rf $(VENV) build dist *.egg-info
