# The two commands: `make demo` and `make test`. Each installs what it needs first.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Bytecode compiled at install, as on a terminal: without it every start compiles every module.
export UV_COMPILE_BYTECODE := 1
export PATH := $(HOME)/.local/bin:$(PATH)

# Qt's xcb plugin, the CJK font the UI, the PDF and the receipt use, the voice pack's TTS
# (espeak-ng, Mandarin) and its player (aplay).
APT_RUNTIME := fonts-wqy-zenhei libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 \
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
  espeak-ng alsa-utils
# Real services the integration tests drive, builds for pyscard/pycups, eyes (Xvfb, pdftoppm),
# the install script's lint (shellcheck) and the units' (systemd-analyze verify).
# python3-venv and python3-pip: the system Python builds release venvs (install.sh, updater).
APT_TEST := $(APT_RUNTIME) pcscd vsmartcard-vpcd libpcsclite-dev swig cups cups-client \
  printer-driver-cups-pdf libcups2-dev poppler-utils xvfb xauth x11-utils imagemagick gcc \
  shellcheck systemd python3-venv python3-pip
# Only the benchmark compares against Chromium (start-up, print-to-pdf).
APT_BENCH := chromium
UV = $(shell scripts/ensure-uv)
DEMO_OUT ?= $(CURDIR)/demo-output

.PHONY: demo demo-headless test lint bench soak screenshots voice env-runtime env-test clean

env-runtime:
	scripts/ensure-apt $(APT_RUNTIME)
	$(UV) sync --frozen --no-dev

env-test:
	scripts/ensure-apt $(APT_TEST)
	$(UV) sync --frozen --all-extras

# Without a display: the scripted resident session, with what it saw and printed.
demo: env-runtime
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found: one scripted resident session instead (make demo-headless)."; \
	  QT_QPA_PLATFORM=offscreen .venv/bin/taihaoban-kiosk demo-headless --out "$(DEMO_OUT)" \
	    || exit $$?; \
	  echo "To see the live kiosk: run make demo on a display, or on a virtual screen with"; \
	  echo "    xvfb-run -s '-screen 0 1920x1080x24' make demo"; \
	else \
	  .venv/bin/taihaoban-kiosk run --demo; \
	fi

demo-headless: env-runtime
	QT_QPA_PLATFORM=offscreen .venv/bin/taihaoban-kiosk demo-headless --out "$(DEMO_OUT)"

# Every screen into screenshots/; the README's own ones (committed) into docs/screenshots/.
screenshots: env-runtime
	QT_QPA_PLATFORM=offscreen .venv/bin/taihaoban-kiosk screenshots --out "$(CURDIR)/screenshots" \
	  --readme-out "$(CURDIR)/docs/screenshots"

# The voice pack (one WAV per prompt, espeak-ng Mandarin) into the configured [resident]
# voice_dir, or VOICE_OUT=<dir>; recorded files of the same names replace prompts.
voice: env-runtime
	.venv/bin/taihaoban-kiosk voice-pack $(if $(CONFIG),--config "$(CONFIG)") \
	  $(if $(VOICE_OUT),--out "$(VOICE_OUT)")

lint: env-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy kiosk devices offline_cache ui fleet
	.venv/bin/lint-imports --no-logo

test: env-test lint
	QT_QPA_PLATFORM=offscreen .venv/bin/pytest -p no:cacheprovider --durations=15

bench: env-test
	scripts/ensure-apt $(APT_BENCH)
	# our own modules as a terminal's wheel has them: compiled (the checkout is an editable install)
	.venv/bin/python -m compileall -q kiosk devices offline_cache ui
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench

# The outbox crash test with many more SIGKILLs than the suite's 200, the fault soak
# with 10,000 sessions instead of 300, and 50 randomly interrupted update cycles instead of 3
# (SOAK_SEED=<seed> replays a run's choices).
soak: env-test
	SOAK_KILLS=$${SOAK_KILLS:-2000} .venv/bin/pytest -p no:cacheprovider --timeout=0 -s \
	  tests/integration/test_outbox_crash.py
	SOAK_SESSIONS=$${SOAK_SESSIONS:-10000} QT_QPA_PLATFORM=offscreen .venv/bin/pytest \
	  -p no:cacheprovider --timeout=0 -s tests/e2e/test_fault_soak.py
	UPDATE_CYCLES=$${UPDATE_CYCLES:-50} .venv/bin/pytest -p no:cacheprovider --timeout=0 -s \
	  tests/integration/test_updater_soak.py

clean:
	rm -rf .venv demo-output .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
