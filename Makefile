# The README's commands. `make demo` runs the review handler's policy checker over the
# sample events; `make test` runs formatting, lints, template checks and every test.

CARGO ?= cargo
SHELL := bash
VENV := .venv
TOOLS_STAMP := $(VENV)/.tools-$(shell cksum tools/requirements.txt | cut -d' ' -f1)
export SAM_CLI_TELEMETRY := 0
# sam and cargo-lambda find zig and each other through the venv.
TOOLBELT := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"
# The toolbelt's modules are compiled to bytecode as they are first imported, into the
# venv: compiling every installed module at install time costs a minute of CPU.
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache
unexport PYTHONDONTWRITEBYTECODE
# The Lambda artefacts are linked at a fixed address instead of position-independent:
# the loader then has no 41,000 pointers of the AWS SDK's tables to relocate, about two
# thirds of a cold start's CPU time. Only for the target's crates: cargo lambda and the
# bench name the target, so build scripts and proc macros stay as they are.
LAMBDA_RUSTFLAGS := -C relocation-model=static
# Evaluated only where used (make bench), not on every make run.
HOST = $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
build deploy bench: export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS := $(LAMBDA_RUSTFLAGS)
# cargo clippy's own driver, run as the workspace's compiler by `make test`.
CLIPPY_DRIVER = $(shell rustup which clippy-driver 2>/dev/null || command -v clippy-driver)

.PHONY: help demo test test-build validate-idle unit-tests e2e e2e-run release lint fmt bench quality tools build validate deploy policy-push local

help:
	@echo "make demo      review events/review/*.jsonl with --explain (default.jsonl: the embedded policy; NAME.jsonl: policies/NAME.toml)"
	@echo "make test      cargo fmt --check, clippy -D warnings, template checks, every test, make e2e"
	@echo "make e2e       the binaries cargo test builds, under cargo lambda's emulator: tests/e2e (Python unittest)"
	@echo "make bench     the performance report: criterion, rustrict and obscenity side by side, cold starts, memory, artefact sizes"
	@echo "make quality   the moderation quality report: recall and false positives per language and category, beside rustrict and obscenity"
	@echo "make tools     .venv with the pinned cargo-lambda, ziglang, aws-sam-cli and cfn-lint"
	@echo "make build     sam build: arm64 bootstrap artefacts of the functions in .aws-sam/build"
	@echo "make validate  sam validate --lint, cfn-lint and the wiring checks"
	@echo "make deploy    check the policy, sam build for the saved architecture, sam deploy (guided the first time)"
	@echo "make policy-push FILE=policies/X.toml   check a policy and deploy it as the live policy (stacks with LivePolicy=true)"
	@echo "make local     cargo lambda watch with events/local.env, to invoke the functions with the files in events/"

demo:
	@$(CARGO) build -q -p review-handler
	@set -e; for events in events/review/*.jsonl; do \
	  name=$$(basename "$$events" .jsonl); policy=(); label="embedded default policy"; \
	  if [ "$$name" != default ] && [ -f "policies/$$name.toml" ]; then policy=(--policy "policies/$$name.toml"); label="policies/$$name.toml"; fi; \
	  echo "== $$events with $$label"; \
	  $(CARGO) run -q -p review-handler -- check --explain "$${policy[@]}" "$$events"; \
	done

tools: $(TOOLS_STAMP)

# Rebuilt only when tools/requirements.txt changes.
$(TOOLS_STAMP): tools/requirements.txt
	@command -v python3 >/dev/null || { echo "python3 is needed: apt-get update && apt-get install -y python3 python3-venv"; exit 1; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --no-compile --disable-pip-version-check -r tools/requirements.txt
	@rm -f $(VENV)/.tools-*
	@touch $@

validate: tools
	$(TOOLBELT) cfn-lint template.yaml
	$(TOOLBELT) AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} sam validate --lint
	$(VENV)/bin/python tools/check_template.py template.yaml
	PYTHONPATH=tools $(VENV)/bin/python -m unittest tools/test_check_template.py tools/test_deploy.py tools/test_policy_push.py

build: tools
	$(TOOLBELT) sam build --parameter-overrides Architecture=$$($(VENV)/bin/python tools/deploy.py --architecture)

# Checks the policy, builds for the saved architecture, deploys (guided the first time).
deploy: tools
	$(TOOLBELT) $(VENV)/bin/python tools/deploy.py

# Checks a policy file and deploys it through AppConfig (no redeploy).
policy-push: tools
	@test -n "$(FILE)" || { echo "usage: make policy-push FILE=policies/NAME.toml"; exit 2; }
	PYTHONPATH=tools $(VENV)/bin/python tools/policy_push.py "$(FILE)"

local: tools
	@echo "Invoke with: $(VENV)/bin/cargo-lambda lambda invoke review-handler --data-file FILE"
	@echo "        or:  curl -X POST http://127.0.0.1:9000/lambda-url/start-chat/ -d @FILE"
	@echo "        or:  curl -X POST http://127.0.0.1:9000/lambda-url/chat-auth/auth -d '{\"arn\":\"ROOM_ARN\"}'"
	$(TOOLBELT) cargo lambda watch --disable-cors --env-file events/local.env

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

# One build serves the lints, the tests and the end-to-end tests: clippy-driver compiles
# the workspace's own crates (what `cargo clippy` does in check mode), so the
# dependencies, the AWS SDK above all, compile once. The toolbelt's install and the
# template checks run beside it at the lowest priority, on the core the build leaves idle.
test: export RUSTC_WORKSPACE_WRAPPER = $(CLIPPY_DRIVER)
test: export CLIPPY_ARGS = -D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
test:
	@test -n "$(CLIPPY_DRIVER)" || { echo "clippy is needed: rustup component add clippy"; exit 1; }
	$(CARGO) fmt --all -- --check
	$(MAKE) --no-print-directory -j2 validate-idle test-build
	$(MAKE) --no-print-directory -j2 --output-sync=target unit-tests e2e-run

# Every target `cargo clippy --all-targets` lints, benches included, built but not run.
# Cargo keeps its own job slots (one per core) rather than those of the make around it.
test-build:
	MAKEFLAGS= $(CARGO) test --all-targets --no-run -q

validate-idle:
	nice -n 19 $(MAKE) --no-print-directory validate

unit-tests:
	MAKEFLAGS= $(CARGO) test

release:
	$(CARGO) build --release -p review-handler -p start-chat -p chat-auth

# The debug binaries `cargo test` builds (a no-op after it: one SDK build, not two),
# through `cargo lambda watch --only-lambda-apis`; see tests/e2e.
e2e: tools
	$(CARGO) test --no-run -q
	$(MAKE) --no-print-directory e2e-run

e2e-run:
	$(VENV)/bin/python -m unittest discover -s tests/e2e -v

# The performance report, then the quality report as its last section; the README keeps
# a copy of its last output. Also saved to target/bench-report.md.
bench: tools release
	$(CARGO) bench -p moderation
	$(CARGO) clippy -p compare --all-targets -- -D warnings
	$(CARGO) build --release -p compare
	RUSTFLAGS="$(LAMBDA_RUSTFLAGS)" $(CARGO) build --release --target $(HOST) -p review-handler
	$(TOOLBELT) cargo lambda build --release --arm64 --output-format zip --bin review-handler --bin start-chat
	@if command -v npm >/dev/null; then npm ci --prefix bench/obscenity --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the obscenity comparison is skipped"; fi
	$(VENV)/bin/pip install -q --no-compile --disable-pip-version-check -r tools/quality-requirements.txt
	set -o pipefail; { $(VENV)/bin/python scripts/bench-report.py && \
	  $(VENV)/bin/python scripts/quality-report.py --markdown-level 3; } | tee "$${CARGO_TARGET_DIR:-target}/bench-report.md"

# The quality report; the README keeps a copy of its last output. Also saved to
# target/quality-report.md. Third-party lists come from packages installed here (npm
# naughty-words, PyPI wordfreq), never from the repository.
quality: tools
	$(CARGO) build --release -p compare
	@if command -v npm >/dev/null; then npm ci --prefix bench/obscenity --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: obscenity and the LDNOOBW lists are skipped"; fi
	$(VENV)/bin/pip install -q --no-compile --disable-pip-version-check -r tools/quality-requirements.txt
	set -o pipefail; $(VENV)/bin/python scripts/quality-report.py | tee "$${CARGO_TARGET_DIR:-target}/quality-report.md"

fmt:
	$(CARGO) fmt --all
