# How do I ...?
#   make demo        onboard two tenants on the local AWS stack and show the result
#   make test        install the tools, start the local stack, run every check and test
#   make lint        rustfmt, clippy, cfn-lint (also on the SAM translation) and actionlint only
#   make build       sam build every function in template.yaml into .aws-sam/ (ARCH=x86_64 by default)
#   make fault-matrix  print the crash-point x outcome table of onboarding and offboarding
#   make bench       measure Rust against the Python baseline on its own local stack and write
#                    docs/benchmarks.md (STACK_DIR=$(mktemp -d) when a dev stack runs in .stack)
#   make stack-up    start moto and the Bedrock emulator, create the demo table, boundary and bus
#                    (endpoints in .stack/env, function settings in .stack/function.env)
#   make watch       run the functions under cargo lambda watch on 127.0.0.1:9000 (after stack-up)
#   make invoke FUNCTION=onboard EVENT=events/tenant-signup.json   send a sample event to make watch
#   make stack-down  stop them
#   make stack-rules create template.yaml's EventBridge rules on the local bus (after stack-up); then
#                    infra/local/stack.sh route events/tenant-signup.json shows which function it reaches
#   make tools       install the pinned Python tools (moto, cargo-lambda, zig, SAM CLI)
#
# Tools and build output live outside the clone, at fixed paths, because
# cargo-lambda's build cache is tied to its install path and a cold build of
# the SDK crates takes minutes. Override TOOLS_DIR to move them.

TOOLS_DIR ?= $(HOME)/.cache/tenant-profiles
VENV ?= $(TOOLS_DIR)/venv
CARGO_TARGET_DIR ?= $(TOOLS_DIR)/target
STACK_DIR ?= $(CURDIR)/.stack
PYTHON ?= python3
# Lambda architecture that `make build` compiles for. The template defaults to
# arm64, but the development machines can install only the host's Rust target
# (x86_64); CI adds aarch64-unknown-linux-gnu and passes ARCH=arm64. Deploy
# with the same Architecture parameter, or Lambda cannot start the binary.
ARCH ?= x86_64

export VENV CARGO_TARGET_DIR STACK_DIR
export PATH := $(VENV)/bin:$(PATH)
export SAM_CLI_TELEMETRY := 0

TOOLS_STAMP := $(VENV)/.installed

.PHONY: demo test lint tools build build-debug stack-up stack-down stack-rules fault-matrix watch invoke bench

tools: $(TOOLS_STAMP)

$(TOOLS_STAMP): infra/requirements.txt infra/constraints.txt
	@echo "installing the pinned tools into $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt -c infra/constraints.txt
	@touch $@

build-debug:
	cargo build --workspace --bins

# sam build runs `cargo lambda build --release [--arm64] --bin <Binary>` for
# each function (SAM CLI 1.170 needs no beta flag for rust-cargolambda) and
# copies each bootstrap to .aws-sam/build/<Function>/.
build: tools
	sam build --parameter-overrides Architecture=$(ARCH)

stack-up: tools build-debug
	infra/local/stack.sh up
	infra/local/stack.sh resources

# The development loop: cargo lambda watch serves every function of the
# workspace and rebuilds one when its sources change.
WATCH_PORT ?= 9000
FUNCTION ?= onboard
EVENT ?= events/tenant-signup.json

watch: tools
	set -a; . $(STACK_DIR)/env; set +a; \
	cargo lambda watch --invoke-address 127.0.0.1 --invoke-port $(WATCH_PORT) --env-file $(STACK_DIR)/function.env

invoke: tools
	cargo lambda invoke $(FUNCTION) --invoke-address 127.0.0.1 --invoke-port $(WATCH_PORT) --data-file $(EVENT)

stack-down:
	infra/local/stack.sh down

stack-rules: tools build-debug
	infra/local/stack.sh rules

demo: tools build-debug
	infra/local/demo.sh

lint: tools
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cfn-lint template.yaml
	translated=$$(mktemp --suffix=.json); \
	status=0; $(VENV)/bin/python infra/sam-translate.py template.yaml >$$translated && \
	cfn-lint $$translated || status=$$?; rm -f $$translated; exit $$status
	actionlint -shellcheck=$(VENV)/bin/shellcheck -pyflakes= .github/workflows/*.yml

# The stack is stopped even when a test fails; the exit status is the tests'.
test: tools build-debug lint
	infra/local/stack.sh up
	set -a; . $(STACK_DIR)/env; set +a; \
	status=0; cargo test --workspace --no-fail-fast || status=$$?; \
	infra/local/stack.sh down; exit $$status

# The test harness starts its own moto server and emulator.
fault-matrix: tools
	cargo test -p integration-tests --test local_stack fault_matrix -- --nocapture --test-threads=1

# bench/run.sh builds what it measures, starts and stops its stack in STACK_DIR.
bench: tools
	bench/run.sh
