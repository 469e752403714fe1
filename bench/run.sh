#!/usr/bin/env bash
# make bench: builds the release onboard zip and the bench harness and runs
# the resolver's criterion benchmark. It then starts a local AWS stack in
# $STACK_DIR and runs the harness, which prints the table and writes
# docs/benchmarks.md. The stack is stopped on every exit path.
#
# Needs VENV, CARGO_TARGET_DIR and STACK_DIR, as the Makefile sets them.
# Counts: BENCH_STARTS, BENCH_TENANTS, BENCH_CONCURRENCY, BENCH_TIER,
# BENCH_THROTTLE (see bench/src/main.rs for the defaults).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
VENV=${VENV:?VENV must point at the tool virtualenv (make sets it)}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:?CARGO_TARGET_DIR must be set (make sets it)}
STACK_DIR=${STACK_DIR:?STACK_DIR must be set (make sets it)}
export VENV CARGO_TARGET_DIR STACK_DIR
export PATH="$VENV/bin:$PATH"

if [[ -f $STACK_DIR/env ]]; then
  echo "error: a local stack already runs in $STACK_DIR; pass another one: make bench STACK_DIR=\$(mktemp -d)" >&2
  exit 1
fi

echo "== building the emulator and the bench harness (debug)"
cargo build --quiet -p bedrock-emulator -p bench
# Another checkout sharing CARGO_TARGET_DIR may rebuild these paths while
# this run goes on, so the harness runs from a copy.
mkdir -p "$STACK_DIR/bench"
cp "$CARGO_TARGET_DIR/debug/bench" "$STACK_DIR/bench/harness"

echo "== building the release onboard zip"
build_started=$SECONDS
cargo lambda build --release --output-format zip --bin onboard
build_seconds=$((SECONDS - build_started))

echo "== resolver micro-benchmark (criterion)"
cargo bench -p tenant-resolver --bench resolve -- --warm-up-time 1 --measurement-time 3

# The measured binary is the one in the zip: cargo lambda leaves no bare
# bootstrap next to a freshly built zip.
artifact=$STACK_DIR/bench/artifact
mkdir -p "$artifact"
python3 -m zipfile -e "$CARGO_TARGET_DIR/lambda/onboard/bootstrap.zip" "$artifact"
chmod +x "$artifact/bootstrap"

trap 'infra/local/stack.sh down >/dev/null' EXIT
infra/local/stack.sh up
infra/local/stack.sh resources
set -a
# shellcheck source=/dev/null
. "$STACK_DIR/env"
set +a

BENCH_BOOTSTRAP=$artifact/bootstrap \
BENCH_ZIP=$CARGO_TARGET_DIR/lambda/onboard/bootstrap.zip \
BENCH_PYTHON=$VENV/bin/python \
BENCH_PYTHON_TASK_ROOT=$repo/bench/python \
BENCH_OUTPUT=$repo/docs/benchmarks.md \
BENCH_CRITERION_DIR=$CARGO_TARGET_DIR/criterion \
BENCH_BUILD_SECONDS=$build_seconds \
BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC') \
BENCH_TOOLS="$(rustc --version), $(cargo lambda --version), Python $("$VENV/bin/python" -c 'import sys, boto3; print(sys.version.split()[0], "with boto3", boto3.__version__)'), moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)')" \
  "$STACK_DIR/bench/harness"
