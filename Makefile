# The README's two commands: `make run` and `make test`. Both set up the virtual
# environment themselves, so they work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint clean translations screenshots

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

run: $(STAMP) $(QM)
	$(BIN)/fieldmark demo --if-missing
	$(BIN)/fieldmark

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(BIN)/lint-imports

# Screenshots of the real window under Xvfb, in both languages, into docs/screenshots/.
SCREEN_PACKAGES := xvfb libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-shape0 libxcb-render-util0 libxcb-image0 libegl1
screenshots: $(STAMP) $(QM)
	@missing=""; for p in $(SCREEN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends $$missing; \
		else echo "install these packages first:$$missing" >&2; exit 1; fi; \
	fi
	$(BIN)/python -m ui.screenshots --out docs/screenshots

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check app db ui server tests bench
	$(BIN)/mypy app db server

clean:
	rm -rf $(VENV) build *.egg-info
