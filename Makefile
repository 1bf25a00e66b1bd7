# Two commands for a newcomer:
#   make run   build the portal and serve it on SQLite with demo data
#   make test  run the whole suite (unit, integration on SQLite and PostgreSQL, browser)
# Both install what they need when it is missing, and say so.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130

# Build cache outside the checkout, so a fresh clone reuses earlier builds.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/patient-privacy-portal/target
# cargo-leptos compiles with this set, and leptos bakes it in (it names the WASM file);
# setting it for every cargo command lets tests reuse that build instead of recompiling.
export LEPTOS_OUTPUT_NAME := portal
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)

PORTAL_ADDR ?= 127.0.0.1:3000
PORTAL_DATA_DIR ?= data
export PORTAL_ADDR PORTAL_DATA_DIR

PORTAL_BIN := $(CARGO_TARGET_DIR)/debug/portal
SITE_ROOT := $(CURDIR)/target/site
POSTGRES_URL := postgres://postgres@127.0.0.1:5432/
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test tools browser-tools build unit-and-integration-tests browser-tests bench

## run: build and serve the portal on SQLite with demo data
run: tools build
	@echo "==> seeding demo data into $(PORTAL_DATA_DIR)"
	LEPTOS_SITE_ROOT="$(SITE_ROOT)" "$(PORTAL_BIN)" seed-demo
	@echo "==> starting the portal (Ctrl+C stops it)"
	LEPTOS_SITE_ROOT="$(SITE_ROOT)" "$(PORTAL_BIN)" serve

## test: everything — Rust unit and integration tests, PostgreSQL when it answers, browser tests
test: tools browser-tools build unit-and-integration-tests browser-tests

tools:
	@if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then \
	  echo "==> installing the Rust wasm32-unknown-unknown target"; \
	  rustup target add wasm32-unknown-unknown; \
	fi
	@if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "==> installing cargo-leptos $(CARGO_LEPTOS_VERSION) (once; about 18 minutes on 2 cores)"; \
	  cargo install --locked cargo-leptos --version $(CARGO_LEPTOS_VERSION); \
	fi
	@if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  echo "==> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (once; about 4 minutes)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

browser-tools:
	@if ! command -v chromium >/dev/null; then \
	  echo "==> installing Chromium (Debian package)"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi
	@if [ ! -f end2end/node_modules/.package-lock.json ] || \
	    [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
	  echo "==> installing browser-test packages (npm ci)"; \
	  (cd end2end && npm ci --no-audit --no-fund); \
	fi

build:
	@echo "==> building the portal (server and WebAssembly)"
	cargo leptos build

unit-and-integration-tests:
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
	    psql "$(POSTGRES_URL)postgres" -qtAc 'select 1' >/dev/null 2>&1; then \
	  echo "==> PostgreSQL answers on 127.0.0.1:5432: the suite runs on SQLite and PostgreSQL"; \
	  export TEST_DATABASE_URL="$(POSTGRES_URL)"; \
	else \
	  echo "==> no PostgreSQL on 127.0.0.1:5432: PostgreSQL cases are SKIPPED"; \
	fi; \
	echo "==> running unit and integration tests"; \
	# One test at a time: each integration test runs the portal on its own tokio runtime in
	# this one process, and leptos keeps process-wide state; runtimes ending mid-request
	# beside others made about 1 run in 10 hang (never seen with one runtime, as in production).
	RUSTFLAGS="--cfg erase_components" cargo test -p app -p server -p migrations --features app/ssr -- --test-threads=1

browser-tests:
	@echo "==> running browser tests in headless Chromium"
	cd end2end && PORTAL_BIN="$(PORTAL_BIN)" LEPTOS_SITE_ROOT="$(SITE_ROOT)" npx playwright test

## bench: the access-log benchmark (release build) on a new SQLite file, then on a new
## PostgreSQL database when one answers; BENCH_ARGS passes options, e.g. --size 100000
BENCH_BIN := $(CARGO_TARGET_DIR)/release/portal
bench:
	@echo "==> building the portal for measuring (release)"
	cargo build --release -p server --bin portal
	@dir=$$(mktemp -d); echo "==> benchmark on SQLite ($$dir)"; \
	  RUST_LOG=warn PORTAL_DATA_DIR=$$dir "$(BENCH_BIN)" bench $(BENCH_ARGS); status=$$?; \
	  rm -rf "$$dir"; [ $$status = 0 ]
	@if psql "$(POSTGRES_URL)postgres" -qtAc 'select 1' >/dev/null 2>&1; then \
	  echo "==> benchmark on PostgreSQL (database portal_bench)"; \
	  psql "$(POSTGRES_URL)postgres" -qc 'DROP DATABASE IF EXISTS portal_bench' -c 'CREATE DATABASE portal_bench'; \
	  dir=$$(mktemp -d); \
	  RUST_LOG=warn PORTAL_DATA_DIR=$$dir DATABASE_URL="$(POSTGRES_URL)portal_bench" "$(BENCH_BIN)" bench $(BENCH_ARGS); status=$$?; \
	  psql "$(POSTGRES_URL)postgres" -qc 'DROP DATABASE IF EXISTS portal_bench'; rm -rf "$$dir"; [ $$status = 0 ]; \
	else \
	  echo "==> no PostgreSQL on 127.0.0.1:5432: PostgreSQL benchmark SKIPPED"; \
	fi
