# Staff Voice. `make run` and `make test` do all the set-up; both are safe to run twice.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install assets static lint format bench clean messages

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "Staff Voice is at http://$(HOST):$(PORT)/ (demo sign-ins are in README.md)"
	# One background-task worker (emails, digests, synthesis) beside the server; both
	# stop together on Ctrl-C. One ASGI process: Channels' in-memory layer reaches only
	# its own sockets. (granian's ASGI server measured the same as uvicorn here:
	# bench/README.md, 3 December.)
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py db_worker --no-reload & \
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --no-access-log \
		--ws-per-message-deflate false --ws config.websocket_protocol:WebSocketProtocol

test: install
	$(BIN)/pytest

install: $(VENV)/.installed build/.assets staticfiles/staticfiles.json

# Pinned Python dependencies (constraints.txt) into a virtual environment.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# Front-end packages from npm (versions locked in package-lock.json), copied to build/static.
build/.assets: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf build/static/vendor && mkdir -p build/static/vendor/nhsuk
	# The CSS points at /assets/ on the site root (make those relative) and loads fonts
	# from a CDN (dropped: the NHS fallback stack is used, and nothing is fetched off-site).
	sed -E -e 's#url\(/assets/#url(assets/#g' -e 's/@font-face\{[^}]*\}//g' -e 's@/\*# sourceMappingURL=[^*]*\*/@@' \
	   node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css \
	   > build/static/vendor/nhsuk/nhsuk-frontend.min.css
	sed -e 's@//# sourceMappingURL=.*@@' node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js \
	   > build/static/vendor/nhsuk/nhsuk-frontend.min.js
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets build/static/vendor/nhsuk/
	# axe-core is for the browser tests only (tests/e2e inject it): outside build/static,
	# so collectstatic never ships it to users.
	rm -rf build/axe && mkdir -p build/axe
	cp node_modules/axe-core/axe.min.js build/axe/axe.min.js
	touch $@

staticfiles/staticfiles.json: $(VENV)/.installed build/.assets $(shell find static -type f)
	$(BIN)/python manage.py collectstatic --no-input --clear -v0

assets: build/.assets
static: staticfiles/staticfiles.json

# Interface text (English and Welsh): collect new and changed strings into
# locale/cy/LC_MESSAGES/django.po, then compile it and locale_vendor/ to the .mo files.
# Needs GNU gettext (apt-get install gettext). `make run` and `make test` do not: the
# compiled .mo files are committed, and tests/test_i18n.py checks they match the .po.
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=build \
	--ignore=bench --ignore=tests
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l cy $(I18N_IGNORE)
	$(BIN)/python manage.py compilemessages $(I18N_IGNORE)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/campaign_page.py
	$(BIN)/python bench/votes.py

clean:
	rm -rf $(VENV) node_modules build staticfiles
