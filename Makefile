# Staff Voice. `make run` and `make test` do all the set-up; both are safe to run twice.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install assets static lint format bench clean

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "Staff Voice is at http://$(HOST):$(PORT)/ (demo sign-ins are in README.md)"
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --no-access-log \
		--ws-per-message-deflate false

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
	touch $@

staticfiles/staticfiles.json: $(VENV)/.installed build/.assets $(shell find static -type f)
	$(BIN)/python manage.py collectstatic --no-input --clear -v0

assets: build/.assets
static: staticfiles/staticfiles.json

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
