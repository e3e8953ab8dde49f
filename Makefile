# Two commands on a fresh machine: `make run` (demo; PORT=8081 for another port, RESET=1 to start
# over) and `make test` (whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PO     := $(wildcard locale/*/LC_MESSAGES/gridbot.po)
MO     := $(PO:.po=.mo)

GATEWAY := gateways/wechaty

.PHONY: run test lint locale clean bench extract gateway-deps

run: $(STAMP) $(MO)
	$(BIN)/gridbot demo $(if $(PORT),--port $(PORT)) $(if $(RESET),--reset)

test: $(STAMP) $(MO) gateway-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if command -v node >/dev/null 2>&1 && [ -d $(GATEWAY)/node_modules/wechaty ]; then \
		cd $(GATEWAY) && npm test --silent; \
	else echo "SKIPPED: wechaty gateway unit tests (Node.js or its packages missing; see $(GATEWAY)/README.md)"; fi

# The wechaty gateway's packages (pinned in package-lock.json), when Node.js is there.
gateway-deps:
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "SKIPPED: wechaty gateway tests (Node.js/npm not found)"; \
	elif [ ! -d $(GATEWAY)/node_modules/wechaty-puppet-mock ]; then \
		(cd $(GATEWAY) && npm ci --no-audit --no-fund --loglevel=error) || \
		echo "SKIPPED: wechaty gateway tests (npm ci failed)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

locale: $(MO)

bench: $(STAMP) $(MO)
	$(BIN)/python bench/parse_eval.py

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "gridbot needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# gettext catalogs are compiled at install/test time (never committed).
locale/%/LC_MESSAGES/gridbot.mo: locale/%/LC_MESSAGES/gridbot.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D gridbot -d locale -l $* 

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

# Re-extract message ids after changing user-facing strings, then translate the new entries.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k pgettext:1c,2 --no-location --sort-output \
		--project gridbot -o locale/gridbot.pot .
	for l in zh_CN en; do \
		if [ -f locale/$$l/LC_MESSAGES/gridbot.po ]; then \
			$(BIN)/pybabel update -D gridbot -i locale/gridbot.pot -d locale -l $$l --no-fuzzy-matching --ignore-obsolete; \
		else $(BIN)/pybabel init -D gridbot -i locale/gridbot.pot -d locale -l $$l; fi; \
	done
