# Baoxiu — the two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PROD_CHECK_ENV := DJANGO_SETTINGS_MODULE=saas_platform.settings.production \
	SECRET_KEY=check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH BASE_DOMAIN=baoxiu.example \
	REDIS_URL=redis://127.0.0.1:6379/0 S3_BUCKET=check-deploy FIELD_ENCRYPTION_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
	SMS_BACKEND=tencent TENCENT_SMS_SECRET_ID=check TENCENT_SMS_SECRET_KEY=check TENCENT_SMS_SDK_APP_ID=1400000000 \
	TENCENT_SMS_SIGN_NAME=check TENCENT_SMS_TEMPLATE_VERIFY_CODE=1

.PHONY: run test install install-dev lock lint typecheck migrate demo serve stop-db bench clean system-deps image-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

## Pinned, hashed lock files (`make lock` regenerates them from pyproject.toml with uv):
## requirements.lock.txt — the runtime (the image: no embedded PostgreSQL, no dev tools);
## requirements-embedded.lock.txt — plus pgserver (`make run` without DATABASE_URL);
## requirements-dev.lock.txt — plus the test and lint tools (`make test`).
## The app itself is plain source run from this directory, never pip-installed.
LOCK          := requirements.lock.txt
LOCK_EMBEDDED := requirements-embedded.lock.txt
LOCK_DEV      := requirements-dev.lock.txt
UV_COMPILE     = $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28 --no-header --annotation-style line

$(VENV)/.installed: pyproject.toml $(LOCK_EMBEDDED) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK_EMBEDDED)
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(LOCK_DEV) $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK_DEV)
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet 'uv>=0.9'
	$(UV_COMPILE) -o $(LOCK)
	$(UV_COMPILE) --extra embedded -o $(LOCK_EMBEDDED)
	$(UV_COMPILE) --extra embedded --extra dev -o $(LOCK_DEV)

migrate: install
	$(BIN)/python manage.py migrate_schemas --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## make run: install, start PostgreSQL (embedded unless DATABASE_URL), migrate, seed the demo, serve.
run: demo
	$(BIN)/python manage.py serve

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python tools/i18n_check.py
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(PROD_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

typecheck: install-dev
	$(BIN)/mypy .

## Two tests need programs from Debian, never downloaded builds: the browser tests drive chromium and
## the broker-outage test starts its own redis-server; the stack test (tests/stack) runs caddy and
## pgbouncer with its own configs and ports, so their Debian services are stopped and disabled.
## Installed when missing and possible (root + apt-get), so `make test` works on a fresh Debian machine.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v caddy >/dev/null 2>&1 || missing="$$missing caddy"; \
	[ -x /usr/sbin/pgbouncer ] || missing="$$missing pgbouncer"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing \
			&& for unit in caddy caddy-api pgbouncer; do \
				systemctl disable --now $$unit >/dev/null 2>&1 || service $$unit stop >/dev/null 2>&1 || true; \
			done; \
		else \
			echo "The test suite needs:$$missing — run 'apt-get install -y$$missing' as root." >&2; \
		fi; \
	fi

## make test: quality gates, then the whole suite on real PostgreSQL.
test: lint typecheck system-deps client-test
	$(BIN)/python -m pytest

## make client-test: the WeChat mini-program client (clients/miniprogram): tsc, then jest with
## miniprogram-simulate against recorded answers of our API, and a contract test that every call
## it makes is in the OpenAPI schema generated here. npm ci installs from the committed lock file.
client-schema: install
	mkdir -p clients/miniprogram/build
	$(BIN)/python manage.py spectacular --format openapi-json --file clients/miniprogram/build/openapi.json

client-test: client-schema
	cd clients/miniprogram && { [ node_modules/.package-lock.json -nt package-lock.json ] \
		|| npm ci --no-audit --no-fund --loglevel=error; } && npm test

## make image-test: build deploy/Dockerfile on a debootstrapped Debian base and run migrate, web,
## worker and beat with host networking against this machine's PostgreSQL and Redis; smoke checks,
## image size budget, then the engine is stopped and removed containers leave nothing behind.
image-test: install-dev
	$(BIN)/python -m tests.stack.image_check

bench: install-dev
	$(BIN)/python bench/run_all.py

stop-db:
	$(BIN)/python -c "from pathlib import Path; from saas_platform.embedded_pg import stop_embedded; \
	print('stopped' if stop_embedded(Path('var/pg')) else 'not running')"

clean:
	rm -rf $(VENV) var
