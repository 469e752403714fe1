#!/usr/bin/env bash
# Starts and stops the local AWS stack: moto's server (DynamoDB, IAM, STS,
# EventBridge, SQS, CloudWatch) and the project's Bedrock emulator, each on a
# free 127.0.0.1 port. `up` writes the endpoints to $STACK_DIR/env, which
# callers source; `resources` creates the demo's table, boundary policy, bus
# and capture queue; `down` stops both servers.
# `rules` creates on that bus the EventBridge rules that template.yaml
# declares, each targeting an SQS queue in place of its function. `route
# FILE` then puts a sample event on the bus and prints which function's queue
# received it.
#
# Usage: stack.sh up | resources | rules | route FILE | down | status
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
  # The emulator publishes the AWS/Bedrock usage metrics of Converse calls to moto's CloudWatch.
  "$CARGO_TARGET_DIR/debug/bedrock-emulator" --listen 127.0.0.1:0 --account-id "$ACCOUNT_ID" \
    --region "$REGION" --cloudwatch-endpoint "http://127.0.0.1:$moto_port" \
    --port-file "$STACK_DIR/emulator.port" >"$STACK_DIR/emulator.log" 2>&1 &
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
AWS_ENDPOINT_URL_BEDROCK_RUNTIME=$AWS_ENDPOINT_URL_BEDROCK
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
JWT_HS256_SECRET=local-demo-secret-not-for-production
JWT_ISSUER=https://auth.local.invalid
JWT_AUDIENCE=saas-api
ENV
  # tenantctl and the AWS CLI read the demo table's name from the stack's environment.
  echo "export TENANT_TABLE_NAME=tenants" >>"$STACK_DIR/env"
  echo "created table tenants, boundary policy tenant-boundary, bus tenants and queue published-events"
}

# The rules come from template.yaml through the template-rules binary (built
# by `make build-debug`), with the parameter defaults, so they are the rules
# a deployment with default sources creates. Each targets the queue
# <FunctionLogicalId>-target in place of the Lambda function.
rules() {
  # shellcheck source=/dev/null
  source "$STACK_DIR/env"
  local aws="$VENV/bin/aws" rules_tool="$CARGO_TARGET_DIR/debug/template-rules"
  if ! "$aws" --endpoint-url "$AWS_ENDPOINT_URL" events describe-event-bus --name tenants >/dev/null 2>&1; then
    echo "error: the local bus 'tenants' does not exist; run '$0 resources' first" >&2
    return 1
  fi
  if [[ ! -x $rules_tool ]]; then
    echo "error: $rules_tool not found; run 'make build-debug' first" >&2
    return 1
  fi
  local listing rule function pattern queue
  listing=$("$rules_tool")
  while IFS=$'\t' read -r rule function pattern; do
    queue="$function-target"
    "$aws" --endpoint-url "$AWS_ENDPOINT_URL" sqs create-queue --queue-name "$queue" >/dev/null
    "$aws" --endpoint-url "$AWS_ENDPOINT_URL" events put-rule --name "$rule" --event-bus-name tenants \
      --event-pattern "$pattern" >/dev/null
    "$aws" --endpoint-url "$AWS_ENDPOINT_URL" events put-targets --rule "$rule" --event-bus-name tenants \
      --targets "Id=function,Arn=arn:aws:sqs:$REGION:$ACCOUNT_ID:$queue" >/dev/null
    echo "rule $rule -> queue $queue (for $function): $pattern"
  done <<<"$listing"
  cut -f2 <<<"$listing" | sort -u >"$STACK_DIR/rule-targets"
}

# Puts the envelope in FILE on the local bus as PutEvents would receive it,
# then drains every function queue that `rules` created and prints what
# arrived where. An event that matches no rule prints "reached no function".
route() {
  local file=${1:?usage: stack.sh route FILE}
  # shellcheck source=/dev/null
  source "$STACK_DIR/env"
  local aws="$VENV/bin/aws"
  if [[ ! -s $STACK_DIR/rule-targets ]]; then
    echo "error: no rules on the local bus; run '$0 rules' first" >&2
    return 1
  fi
  python3 - "$file" >"$STACK_DIR/route-entries.json" <<'PY'
import json, sys
event = json.load(open(sys.argv[1]))
missing = [key for key in ("source", "detail-type", "detail") if key not in event]
if missing:
    sys.exit(f"error: {sys.argv[1]} is not an EventBridge envelope: no {', '.join(missing)}")
print(json.dumps([{
    "EventBusName": "tenants",
    "Source": event["source"],
    "DetailType": event["detail-type"],
    "Detail": json.dumps(event["detail"]),
    "Resources": event.get("resources", []),
}]))
PY
  local failed function queue_url reached=0
  failed=$("$aws" --endpoint-url "$AWS_ENDPOINT_URL" events put-events \
    --entries "file://$STACK_DIR/route-entries.json" --query FailedEntryCount --output text)
  if [[ $failed != 0 ]]; then
    echo "error: PutEvents rejected $file (FailedEntryCount $failed)" >&2
    return 1
  fi
  while read -r function; do
    queue_url=$("$aws" --endpoint-url "$AWS_ENDPOINT_URL" sqs get-queue-url --queue-name "$function-target" \
      --query QueueUrl --output text)
    "$aws" --endpoint-url "$AWS_ENDPOINT_URL" sqs receive-message --queue-url "$queue_url" \
      --max-number-of-messages 10 --wait-time-seconds 0 --output json >"$STACK_DIR/route-received.json"
    [[ -s $STACK_DIR/route-received.json ]] || continue
    python3 - "$file" "$function" "$STACK_DIR/route-received.json" "$STACK_DIR/route-handles" <<'PY'
import json, sys
file, function, received, handles = sys.argv[1:]
messages = json.load(open(received)).get("Messages", [])
with open(handles, "w") as handle_file:
    for message in messages:
        event = json.loads(message["Body"])
        tenant_id = event.get("detail", {}).get("tenantId")
        print(f"{file}: reached {function} ({event['detail-type']} from {event['source']}, tenantId {tenant_id!r})")
        print(message["ReceiptHandle"], file=handle_file)
PY
    while read -r handle; do
      "$aws" --endpoint-url "$AWS_ENDPOINT_URL" sqs delete-message --queue-url "$queue_url" --receipt-handle "$handle"
      reached=1
    done <"$STACK_DIR/route-handles"
  done <"$STACK_DIR/rule-targets"
  if [[ $reached == 0 ]]; then
    echo "$file: reached no function"
  fi
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
  rm -f "$STACK_DIR/env" "$STACK_DIR/function.env" "$STACK_DIR/emulator.port" \
    "$STACK_DIR/rule-targets" "$STACK_DIR"/route-*.json "$STACK_DIR/route-handles"
  echo "local stack down"
}

status() {
  if [[ -f $STACK_DIR/env ]]; then cat "$STACK_DIR/env"; else echo "local stack not running"; fi
}

case "${1:-}" in
  up) up ;;
  resources) resources ;;
  rules) rules ;;
  route) route "${2:-}" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up | resources | rules | route FILE | down | status" >&2; exit 2 ;;
esac
