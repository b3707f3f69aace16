# The README's commands. `make demo` runs the review handler's policy checker over the
# sample events; `make test` runs formatting, lints and every test.

CARGO ?= cargo
SHELL := bash

.PHONY: demo test lint fmt bench help

help:
	@echo "make demo   review events/review/*.jsonl with --explain (default.jsonl: the embedded policy; NAME.jsonl: policies/NAME.toml)"
	@echo "make test   cargo fmt --check, clippy -D warnings, and every test"
	@echo "make bench  criterion benchmarks (moderation engine, start-chat handler), a table of medians, start-chat start-up time"

demo:
	@$(CARGO) build -q -p review-handler
	@set -e; for events in events/review/*.jsonl; do \
	  name=$$(basename "$$events" .jsonl); policy=(); label="embedded default policy"; \
	  if [ "$$name" != default ] && [ -f "policies/$$name.toml" ]; then policy=(--policy "policies/$$name.toml"); label="policies/$$name.toml"; fi; \
	  echo "== $$events with $$label"; \
	  $(CARGO) run -q -p review-handler -- check --explain "$${policy[@]}" "$$events"; \
	done

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: lint
	$(CARGO) test --workspace

bench:
	$(CARGO) bench -p moderation -p start-chat
	@python3 scripts/bench-table.py
	$(CARGO) build --release -q -p start-chat
	@python3 scripts/startup-time.py "$${CARGO_TARGET_DIR:-target}/release/start-chat" 20

fmt:
	$(CARGO) fmt --all
