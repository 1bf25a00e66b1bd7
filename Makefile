# Two commands for a newcomer:
#   make run   build the portal and serve it on SQLite with demo data
#   make test  run the whole suite (unit, integration on SQLite and PostgreSQL, browser)
# Both install what they need when it is missing, and say so.
# Also: make release (a deployable bundle), make bench, make audit (Lighthouse scores).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130

# Build cache outside the checkout, so a fresh clone reuses earlier builds.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/patient-privacy-portal/target
# cargo-leptos compiles with this set, and leptos bakes it in (it names the WASM file);
# setting it for every cargo command lets tests reuse that build instead of recompiling.
export LEPTOS_OUTPUT_NAME := portal
# npm's binaryen (wasm-opt) first: Debian's wasm-opt breaks the WebAssembly.
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)

PORTAL_ADDR ?= 127.0.0.1:3000
PORTAL_DATA_DIR ?= data
export PORTAL_ADDR PORTAL_DATA_DIR

# One build serves `make run` and `make test`: the release site, as deployed — content-
# hashed, precompressed files and size-optimised WebAssembly.
PORTAL_BIN := $(CARGO_TARGET_DIR)/release/portal
SITE_ROOT := $(CURDIR)/target/site
RELEASE_DIR := $(CURDIR)/target/portal-release
POSTGRES_URL := postgres://postgres@127.0.0.1:5432/
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test release tools node-tools browser-tools build checks unit-and-integration-tests \
	browser-tests bench audit

## run: build and serve the portal on SQLite with demo data
run: tools node-tools build
	@echo "==> seeding demo data into $(PORTAL_DATA_DIR)"
	LEPTOS_SITE_ROOT="$(SITE_ROOT)" "$(PORTAL_BIN)" seed-demo
	@echo "==> starting the portal (Ctrl+C stops it)"
	LEPTOS_SITE_ROOT="$(SITE_ROOT)" "$(PORTAL_BIN)" serve

## test: everything — Rust unit and integration tests, PostgreSQL when it answers, browser
## tests (JavaScript on and off, accessibility, the WebAssembly budget) on the release site
test: tools node-tools browser-tools checks build unit-and-integration-tests browser-tests

## release: the portal as deployed, in target/portal-release: the binary, its hash file
## and the compiled site (see README, "Deploying")
release: tools node-tools build
	rm -rf "$(RELEASE_DIR)" && mkdir -p "$(RELEASE_DIR)"
	cp "$(PORTAL_BIN)" "$(CARGO_TARGET_DIR)/release/hash.txt" "$(RELEASE_DIR)/"
	cp -r "$(SITE_ROOT)" "$(RELEASE_DIR)/site"
	@echo "==> $(RELEASE_DIR): run it there with LEPTOS_SITE_ROOT=site ./portal serve"

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

# The npm packages under end2end/: wasm-opt (binaryen) for the release build, and the
# browser-test tools.
node-tools:
	@if [ ! -f end2end/node_modules/.package-lock.json ] || \
	    [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
	  echo "==> installing npm packages under end2end/ (npm ci)"; \
	  (cd end2end && npm ci --no-audit --no-fund); \
	fi

browser-tools:
	@if ! command -v chromium >/dev/null; then \
	  echo "==> installing Chromium (Debian package)"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

## checks: formatting, and clippy with warnings as errors for the server (ssr) build and the
## browser (hydrate, WebAssembly) build
checks:
	@echo "==> cargo fmt --check"
	cargo fmt --all --check
	@echo "==> clippy, server build (ssr)"
	RUSTFLAGS="--cfg erase_components" cargo clippy -p app -p server -p migrations --features app/ssr --all-targets -- -D warnings
	@echo "==> clippy, browser build (hydrate, wasm32)"
	cargo clippy -p frontend --target wasm32-unknown-unknown --all-targets -- -D warnings

build:
	@echo "==> building the portal (release: server and WebAssembly)"
	cargo leptos build --release --precompress

# One shell for the whole recipe, so the PostgreSQL URL reaches cargo. One test at a time:
# each integration test runs the portal on its own tokio runtime in this one process, and
# leptos keeps process-wide state; runtimes ending mid-request beside others made about 1 run
# in 10 hang (never seen with one runtime, as in production).
unit-and-integration-tests:
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
	    psql "$(POSTGRES_URL)postgres" -qtAc 'select 1' >/dev/null 2>&1; then \
	  echo "==> PostgreSQL answers on 127.0.0.1:5432: the suite runs on SQLite and PostgreSQL"; \
	  export TEST_DATABASE_URL="$(POSTGRES_URL)"; \
	elif [ -n "$${CI:-}" ]; then \
	  echo "==> no PostgreSQL on 127.0.0.1:5432: CI must run the PostgreSQL cases" >&2; exit 1; \
	else \
	  echo "==> no PostgreSQL on 127.0.0.1:5432: PostgreSQL cases are SKIPPED"; \
	  export TEST_WITHOUT_POSTGRES=1; \
	fi; \
	echo "==> running unit and integration tests"; \
	RUSTFLAGS="--cfg erase_components" cargo test -p app -p server -p migrations --features app/ssr -- --test-threads=1

browser-tests:
	@echo "==> running browser tests in headless Chromium (release site)"
	cd end2end && PORTAL_BIN="$(PORTAL_BIN)" LEPTOS_SITE_ROOT="$(SITE_ROOT)" npx playwright test

## audit: Lighthouse (mobile) on /sign-in, /access-log and /consent of the release site,
## signed in as a demo patient with a long history; prints the scores. A measurement, not a
## gate.
audit: tools node-tools browser-tools build
	cd end2end && PORTAL_BIN="$(PORTAL_BIN)" LEPTOS_SITE_ROOT="$(SITE_ROOT)" node audit.mjs

## bench: the access-log benchmark (release build) on a new SQLite file, then on a new
## PostgreSQL database when one answers, then pages served on kept-alive connections;
## BENCH_ARGS passes options to the first, e.g. --size 100000
bench: tools node-tools build
	@dir=$$(mktemp -d); echo "==> benchmark on SQLite ($$dir)"; \
	  RUST_LOG=warn PORTAL_DATA_DIR=$$dir LEPTOS_SITE_ROOT="$(SITE_ROOT)" "$(PORTAL_BIN)" bench $(BENCH_ARGS); status=$$?; \
	  rm -rf "$$dir"; [ $$status = 0 ]
	@if psql "$(POSTGRES_URL)postgres" -qtAc 'select 1' >/dev/null 2>&1; then \
	  echo "==> benchmark on PostgreSQL (database portal_bench)"; \
	  psql "$(POSTGRES_URL)postgres" -qc 'DROP DATABASE IF EXISTS portal_bench' -c 'CREATE DATABASE portal_bench'; \
	  dir=$$(mktemp -d); \
	  RUST_LOG=warn PORTAL_DATA_DIR=$$dir LEPTOS_SITE_ROOT="$(SITE_ROOT)" DATABASE_URL="$(POSTGRES_URL)portal_bench" "$(PORTAL_BIN)" bench $(BENCH_ARGS); status=$$?; \
	  psql "$(POSTGRES_URL)postgres" -qc 'DROP DATABASE IF EXISTS portal_bench'; rm -rf "$$dir"; [ $$status = 0 ]; \
	else \
	  echo "==> no PostgreSQL on 127.0.0.1:5432: PostgreSQL benchmark SKIPPED"; \
	fi
	@dir=$$(mktemp -d); echo "==> pages on kept-alive connections (SQLite, $$dir)"; \
	  RUST_LOG=warn PORTAL_DATA_DIR=$$dir LEPTOS_SITE_ROOT="$(SITE_ROOT)" "$(PORTAL_BIN)" bench-pages; status=$$?; \
	  rm -rf "$$dir"; [ $$status = 0 ]
