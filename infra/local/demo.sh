#!/usr/bin/env bash
# The demo: onboard two tenants through the real Lambda runtime path
# (cargo lambda watch + cargo lambda invoke) on the local stack, then show
# what onboarding created: registry items, inference profiles with their
# tags, role policies and the announced events.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
STACK_DIR=${STACK_DIR:-$repo/.stack}
export STACK_DIR
stack=infra/local/stack.sh
aws="$VENV/bin/aws"
watch_pid=
tenantctl() { TENANT_TABLE_NAME=tenants "$CARGO_TARGET_DIR/debug/tenantctl" "$@"; }

stop() {
  if [[ -n $watch_pid ]]; then kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; fi
  "$stack" down
}

heading() { printf '\n== %s ==\n' "$1"; }

"$stack" up
trap stop EXIT
"$stack" resources
# shellcheck source=/dev/null
source "$STACK_DIR/env"

heading "the template's EventBridge rules on the local bus"
"$stack" rules
for event in events/tenant-signup.json events/sbt-onboarding-request.json events/invalid/missing-tenant-id.json; do
  "$stack" route "$event"
done

heading "starting the functions (onboard, offboard, invoke) under cargo lambda watch"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$port" \
  --env-file "$STACK_DIR/function.env" --ignore-changes >"$STACK_DIR/watch.log" 2>&1 &
watch_pid=$!
for _ in $(seq 1 600); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  if ! kill -0 "$watch_pid" 2>/dev/null; then
    echo "error: cargo lambda watch stopped; its log follows" >&2
    cat "$STACK_DIR/watch.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "cargo lambda watch listens on 127.0.0.1:$port (log: $STACK_DIR/watch.log)"

for event in tenant-signup tenant-signup-premium; do
  heading "cargo lambda invoke onboard --data-file events/$event.json"
  cargo lambda invoke onboard --invoke-address 127.0.0.1 --invoke-port "$port" \
    --data-file "events/$event.json" | python3 -m json.tool
done

for tenant in acme-01 globex/eu-west-1; do
  heading "registry item of $tenant (tenantctl show)"
  tenantctl show "$tenant"
done

heading "application inference profiles (ListInferenceProfiles --type-equals APPLICATION)"
for arn in $("$aws" --endpoint-url "$AWS_ENDPOINT_URL_BEDROCK" bedrock list-inference-profiles --type-equals APPLICATION \
  --query 'inferenceProfileSummaries[].inferenceProfileArn' --output text); do
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL_BEDROCK" bedrock get-inference-profile --inference-profile-identifier "$arn" \
    --query '{name: inferenceProfileName, arn: inferenceProfileArn, models: models[].modelArn}' --output json
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL_BEDROCK" bedrock list-tags-for-resource --resource-arn "$arn" --query 'tags' --output json
done

heading "tenant roles under /tenants/ and their inline policies"
for role in $("$aws" --endpoint-url "$AWS_ENDPOINT_URL" iam list-roles --path-prefix /tenants/ --query 'Roles[].RoleName' --output text); do
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" iam get-role --role-name "$role" \
    --query 'Role.{arn: Arn, boundary: PermissionsBoundary.PermissionsBoundaryArn}' --output json
  "$aws" --endpoint-url "$AWS_ENDPOINT_URL" iam get-role-policy --role-name "$role" \
    --policy-name invoke-bedrock-through-tenant-profiles --query PolicyDocument --output json
done

heading "events announced on the bus"
"$aws" --endpoint-url "$AWS_ENDPOINT_URL" sqs receive-message --queue-url "$AWS_ENDPOINT_URL/111122223333/published-events" \
  --max-number-of-messages 10 --wait-time-seconds 2 --query 'Messages[].Body' --output json |
  python3 -c 'import json, sys
for body in json.load(sys.stdin) or []:
    event = json.loads(body)
    print(event["detail-type"], json.dumps(event["detail"], indent=2))'

heading "Converse through each tenant's profile (the invoke example, JWT in the request)"
set -a
# shellcheck source=/dev/null
source "$STACK_DIR/function.env"
set +a
# Long prompts (about 19,000 characters, some 4,700 tokens each) so that the
# usage report below shows amounts of more than a cent.
context=$(python3 -c 'print("Context from the tenant knowledge base. " * 480)')
for call in "acme-01|nova-lite|2" "acme-01|claude-haiku|3" \
  "globex/eu-west-1|claude-sonnet-4|4" "globex/eu-west-1|nova-lite|1"; do
  IFS='|' read -r tenant model repeat <<<"$call"
  for _ in $(seq 1 "$repeat"); do
    infra/local/apigw-request.py "$tenant" "Summarise this: $context" "$model" >"$STACK_DIR/request.json"
    cargo lambda invoke invoke --invoke-address 127.0.0.1 --invoke-port "$port" \
      --data-file "$STACK_DIR/request.json" |
      python3 -c 'import json, sys; r = json.load(sys.stdin); b = json.loads(r["body"]); print(r["statusCode"], b.get("tenantId"), b.get("model"), b.get("usage"), b.get("message") or "")'
  done
done
heading "a request naming a model id that is not the tenant's profile is refused"
infra/local/apigw-request.py acme-01 "Hello" >"$STACK_DIR/request.json"
python3 - "$STACK_DIR/request.json" <<'PY'
import json, sys
path = sys.argv[1]
request = json.load(open(path))
body = json.loads(request["body"])
body["modelId"] = "amazon.nova-lite-v1:0"
request["body"] = json.dumps(body)
json.dump(request, open(path, "w"))
PY
cargo lambda invoke invoke --invoke-address 127.0.0.1 --invoke-port "$port" \
  --data-file "$STACK_DIR/request.json" |
  python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["statusCode"], json.loads(r["body"])["message"])'

heading "usage and cost per tenant (tenantctl usage: CloudWatch AWS/Bedrock by profile id x infra/prices.json)"
# The emulator publishes the metrics in the background; give it a moment.
sleep 2
today=$(date -u +%F)
tomorrow=$(date -u -d tomorrow +%F)
tenantctl usage --from "$today" --to "$tomorrow"
tenantctl chart --from "$today" --to "$tomorrow" --output "$STACK_DIR/cost-per-tenant.svg" 2>/dev/null

heading "cargo lambda invoke offboard --data-file events/tenant-offboarding.json"
cargo lambda invoke offboard --invoke-address 127.0.0.1 --invoke-port "$port" \
  --data-file events/tenant-offboarding.json | python3 -m json.tool

heading "tombstone of acme-01 (tenantctl show)"
tenantctl show acme-01

heading "tenants (tenantctl list)"
tenantctl list

heading "profiles left (acme-01's are deleted, globex/eu-west-1's remain)"
"$aws" --endpoint-url "$AWS_ENDPOINT_URL_BEDROCK" bedrock list-inference-profiles --type-equals APPLICATION \
  --query 'inferenceProfileSummaries[].[inferenceProfileName, inferenceProfileArn]' --output text

heading "tenantctl reconcile"
tenantctl reconcile
