#!/usr/bin/env bash
# Starts and stops the local AWS stack: moto's server (DynamoDB, IAM, STS,
# EventBridge, SQS, CloudWatch) and the project's Bedrock emulator, each on a
# free 127.0.0.1 port. `up` writes the endpoints to $STACK_DIR/env, which
# callers source; `resources` creates the demo's table, boundary policy, bus
# and capture queue; `down` stops both servers.
#
# Usage: stack.sh up | resources | down | status
# Needs: VENV (the tool virtualenv) and CARGO_TARGET_DIR, as the Makefile sets them.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
STACK_DIR=${STACK_DIR:-$repo/.stack}
VENV=${VENV:?VENV must point at the tool virtualenv (make sets it)}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:?CARGO_TARGET_DIR must be set (make sets it)}
ACCOUNT_ID=111122223333
REGION=us-east-1

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() {
  local name=$1 port=$2 log=$3
  for _ in $(seq 1 300); do
    if python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "error: $name did not listen on 127.0.0.1:$port within 30 s; its log follows" >&2
  cat "$log" >&2
  return 1
}

up() {
  if [[ -f $STACK_DIR/env ]]; then
    echo "local stack already running (see $STACK_DIR/env); run 'make stack-down' first" >&2
    return 1
  fi
  mkdir -p "$STACK_DIR"
  local moto_port
  moto_port=$(free_port)
  MOTO_ACCOUNT_ID=$ACCOUNT_ID "$VENV/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$STACK_DIR/moto.log" 2>&1 &
  echo $! >"$STACK_DIR/moto.pid"

  rm -f "$STACK_DIR/emulator.port"
  "$CARGO_TARGET_DIR/debug/bedrock-emulator" --listen 127.0.0.1:0 --account-id "$ACCOUNT_ID" \
    --region "$REGION" --port-file "$STACK_DIR/emulator.port" >"$STACK_DIR/emulator.log" 2>&1 &
  echo $! >"$STACK_DIR/emulator.pid"

  wait_for_port moto "$moto_port" "$STACK_DIR/moto.log"
  for _ in $(seq 1 100); do [[ -s $STACK_DIR/emulator.port ]] && break; sleep 0.1; done
  if [[ ! -s $STACK_DIR/emulator.port ]]; then
    echo "error: the Bedrock emulator did not start; its log follows" >&2
    cat "$STACK_DIR/emulator.log" >&2
    return 1
  fi
  local emulator_port
  emulator_port=$(cat "$STACK_DIR/emulator.port")

  cat >"$STACK_DIR/env" <<ENV
export AWS_ENDPOINT_URL=http://127.0.0.1:$moto_port
export AWS_ENDPOINT_URL_BEDROCK=http://127.0.0.1:$emulator_port
export MOTO_ENDPOINT_URL=http://127.0.0.1:$moto_port
export AWS_REGION=$REGION
export AWS_DEFAULT_REGION=$REGION
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_EC2_METADATA_DISABLED=true
ENV
  echo "local stack up: moto on 127.0.0.1:$moto_port, Bedrock emulator on 127.0.0.1:$emulator_port"
}

resources() {
  # shellcheck source=/dev/null
  source "$STACK_DIR/env"
  local aws="$VENV/bin/aws"
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" dynamodb create-table --table-name tenants \
    --cli-input-json "file://$repo/infra/registry-table.json" >/dev/null
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" iam create-policy --policy-name tenant-boundary \
    --policy-document "file://$repo/infra/iam/tenant-boundary-policy.json" >/dev/null
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" events create-event-bus --name tenants >/dev/null
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" sqs create-queue --queue-name published-events >/dev/null
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" events put-rule --name capture-published --event-bus-name tenants \
    --event-pattern '{"source": ["tenant-profiles", "applicationPlaneEventSource", "sbt.application.plane"]}' >/dev/null
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" events put-targets --rule capture-published --event-bus-name tenants \
    --targets "Id=capture,Arn=arn:aws:sqs:$REGION:$ACCOUNT_ID:published-events" >/dev/null

  cat >"$STACK_DIR/function.env" <<ENV
AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL
AWS_ENDPOINT_URL_BEDROCK=$AWS_ENDPOINT_URL_BEDROCK
AWS_REGION=$REGION
AWS_ACCESS_KEY_ID=testing
AWS_SECRET_ACCESS_KEY=testing
AWS_EC2_METADATA_DISABLED=true
ACCOUNT_ID=$ACCOUNT_ID
TENANT_TABLE_NAME=tenants
EVENT_BUS_NAME=tenants
TENANT_ROLE_PATH=/tenants/
TENANT_BOUNDARY_POLICY_ARN=arn:aws:iam::$ACCOUNT_ID:policy/tenant-boundary
TENANT_TRUSTED_PRINCIPAL_ARN=arn:aws:iam::$ACCOUNT_ID:role/saas-application
MODEL_CATALOG_FILE=$repo/infra/model-catalog.json
EXTRA_TAGS='{"project":"tenant-profiles-demo"}'
ENV
  echo "created table tenants, boundary policy tenant-boundary, bus tenants and queue published-events"
}

down() {
  local name pid
  for name in emulator moto; do
    if [[ -f $STACK_DIR/$name.pid ]]; then
      pid=$(cat "$STACK_DIR/$name.pid")
      kill "$pid" 2>/dev/null || true
      rm -f "$STACK_DIR/$name.pid"
    fi
  done
  rm -f "$STACK_DIR/env" "$STACK_DIR/function.env" "$STACK_DIR/emulator.port"
  echo "local stack down"
}

status() {
  if [[ -f $STACK_DIR/env ]]; then cat "$STACK_DIR/env"; else echo "local stack not running"; fi
}

case "${1:-}" in
  up) up ;;
  resources) resources ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up | resources | down | status" >&2; exit 2 ;;
esac
