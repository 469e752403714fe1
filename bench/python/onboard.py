"""Python baseline of the onboarding function, for `make bench` only.

For a first signup it makes the same AWS calls as the Rust function, in the
same order. First GetItem and a conditional PutItem of a PROVISIONING item.
Then, per model, CreateInferenceProfile (deterministic clientRequestToken),
GetInferenceProfile for the routed models and a version-conditional PutItem.
Last CreateRole with the permissions boundary, PutItem, PutRolePolicy,
PutItem of the ACTIVE item and PutEvents. Names, tokens and the item layout
match the Rust function's, so reconcile reads its tenants like any other.
It leaves out what a first signup never reaches: adopting resources left by
a crashed attempt, resuming, rollback and the SBT event shapes.
"""

import hashlib
import json
import os
import re
from datetime import datetime, timezone

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config

# Configuration and clients are built once per process, at init, as the Rust
# function does at cold start.
REGION = os.environ["AWS_REGION"]
ACCOUNT_ID = os.environ["ACCOUNT_ID"]
TABLE = os.environ["TENANT_TABLE_NAME"]
BUS = os.environ["EVENT_BUS_NAME"]
BOUNDARY = os.environ["TENANT_BOUNDARY_POLICY_ARN"]
TRUSTED = os.environ["TENANT_TRUSTED_PRINCIPAL_ARN"]
ROLE_PATH = os.environ.get("TENANT_ROLE_PATH", "/tenants/")
EXTRA_TAGS = json.loads(os.environ.get("EXTRA_TAGS", "{}"))
SOURCE = os.environ.get("TENANT_EVENT_SOURCE", "saas.tenants")
OUTPUT_SOURCE = os.environ.get("OUTPUT_EVENT_SOURCE", "tenant-profiles")
with open(os.environ["MODEL_CATALOG_FILE"]) as catalog_file:
    CATALOG = json.load(catalog_file)

# The same retry budget as the Rust function's SDK_MAX_ATTEMPTS default.
RETRIES = Config(retries={"mode": "standard", "max_attempts": int(os.environ.get("SDK_MAX_ATTEMPTS", "5"))})
DYNAMODB = boto3.client("dynamodb", region_name=REGION, config=RETRIES)
BEDROCK = boto3.client("bedrock", region_name=REGION, config=RETRIES)
IAM = boto3.client("iam", region_name=REGION, config=RETRIES)
EVENTS = boto3.client("events", region_name=REGION, config=RETRIES)

TENANT_ID = re.compile(r"^[A-Za-z0-9._:/=+@-]{1,128}$")
POLICY_NAME = "invoke-bedrock-through-tenant-profiles"
SERIALIZER = TypeSerializer()
DESERIALIZER = TypeDeserializer()


def handler(event, _context):
    if event.get("source") != SOURCE or event.get("detail-type") != "TenantSignedUp":
        raise ValueError("not a TenantSignedUp event from " + SOURCE)
    detail = event["detail"]
    tenant = detail.get("tenantId")
    if not isinstance(tenant, str) or not TENANT_ID.match(tenant):
        return {"outcome": "rejected", "message": f"detail.tenantId: invalid value {tenant!r}"}
    tier = detail.get("tier")
    if tier not in CATALOG["tiers"]:
        return {"outcome": "rejected", "message": f"detail.tier: invalid value {tier!r}"}

    existing = DYNAMODB.get_item(TableName=TABLE, Key={"tenantId": {"S": tenant}}, ConsistentRead=True)
    if "Item" in existing:
        item = {key: DESERIALIZER.deserialize(value) for key, value in existing["Item"].items()}
        if item["status"] == "ACTIVE":
            return {"outcome": "already-active", "tenantId": tenant}
        raise RuntimeError(f"tenant {tenant} is {item['status']}; the baseline only onboards new tenants")

    now = timestamp()
    record = {
        "tenantId": tenant,
        "status": "PROVISIONING",
        "tier": tier,
        "models": CATALOG["tiers"][tier],
        "generation": 1,
        "version": 1,
        "eventId": event["id"],
        "createdAt": now,
        "updatedAt": now,
        "roleName": "tenant-" + derive_name(tenant, 64 - len("tenant-") - 1 - 12, ["role-name", tenant]),
        "profiles": {},
    }
    DYNAMODB.put_item(
        TableName=TABLE,
        Item=serialize(record),
        ConditionExpression="attribute_not_exists(#key)",
        ExpressionAttributeNames={"#key": "tenantId"},
    )

    tags = [{"key": "tenant-id", "value": tenant}] + [{"key": k, "value": v} for k, v in EXTRA_TAGS.items()]
    for model in record["models"]:
        source_arn, source_model_id = source_of(model)
        created = BEDROCK.create_inference_profile(
            inferenceProfileName=derive_name(tenant, 30, ["profile-name", tenant, model], model),
            description=f"Per-tenant profile for model {model}",
            clientRequestToken=token(tenant, model, record["generation"]),
            modelSource={"copyFrom": source_arn},
            tags=tags,
        )
        arn = created["inferenceProfileArn"]
        described = BEDROCK.get_inference_profile(inferenceProfileIdentifier=arn)
        record["profiles"][model] = {
            "profileName": described["inferenceProfileName"],
            "profileArn": arn,
            "profileId": arn.rsplit("/", 1)[1],
            "sourceArn": source_arn,
            "sourceModelId": source_model_id,
            "region": arn.split(":")[3],
            "routedModelArns": [m["modelArn"] for m in described.get("models", [])],
        }
        save(record)

    role = IAM.create_role(
        RoleName=record["roleName"],
        Path=ROLE_PATH,
        AssumeRolePolicyDocument=json.dumps(trust_policy()),
        PermissionsBoundary=BOUNDARY,
        Description="Invokes Bedrock only through this tenant's application inference profiles",
        Tags=[{"Key": tag["key"], "Value": tag["value"]} for tag in tags],
    )
    record["roleArn"] = role["Role"]["Arn"]
    save(record)

    IAM.put_role_policy(
        RoleName=record["roleName"],
        PolicyName=POLICY_NAME,
        PolicyDocument=json.dumps(invoke_policy(record["profiles"].values())),
    )
    record["status"] = "ACTIVE"
    save(record)

    EVENTS.put_events(
        Entries=[
            {
                "EventBusName": BUS,
                "Source": OUTPUT_SOURCE,
                "DetailType": "TenantProvisioned",
                "Detail": json.dumps(
                    {
                        "tenantId": tenant,
                        "roleArn": record["roleArn"],
                        "profiles": {m: p["profileArn"] for m, p in record["profiles"].items()},
                    }
                ),
            }
        ]
    )
    return {
        "outcome": "provisioned",
        "tenantId": tenant,
        "status": record["status"],
        "roleArn": record["roleArn"],
        "profiles": {
            model: {"profileArn": p["profileArn"], "sourceModelId": p["sourceModelId"], "region": p["region"]}
            for model, p in record["profiles"].items()
        },
    }


def save(record):
    """Writes the item unless another writer changed it since this invocation did, bumping its version."""
    expected = record["version"]
    record["version"] = expected + 1
    record["updatedAt"] = timestamp()
    DYNAMODB.put_item(
        TableName=TABLE,
        Item=serialize(record),
        ConditionExpression="#version = :expected",
        ExpressionAttributeNames={"#version": "version"},
        ExpressionAttributeValues={":expected": {"N": str(expected)}},
    )


def serialize(record):
    return {key: SERIALIZER.serialize(value) for key, value in record.items()}


def timestamp():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def source_of(model):
    source = CATALOG["models"][model]
    if "foundationModel" in source:
        model_id = source["foundationModel"]
        return f"arn:aws:bedrock:{REGION}::foundation-model/{model_id}", model_id
    model_id = source["systemProfile"]
    return f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:inference-profile/{model_id}", model_id


def length_prefixed(parts):
    return b"".join(len(part.encode()).to_bytes(8, "big") + part.encode() for part in parts)


def token(tenant, model, generation):
    return hashlib.sha256(length_prefixed(["client-request-token", tenant, model, str(generation)])).hexdigest()


def derive_name(tenant, max_chars, hash_parts, model=None):
    """Derives `{clean tenant}[-{model}]-{hash}` as the Rust function's names module does."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", tenant).lstrip("-")[:max_chars].rstrip("-")
    digest = hashlib.sha256(length_prefixed(hash_parts)).hexdigest()[:12]
    parts = [part for part in (cleaned, model, digest) if part]
    return "-".join(parts)


def trust_policy():
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": TRUSTED}, "Action": "sts:AssumeRole"}],
    }


def invoke_policy(profiles):
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    statements = [{"Sid": "InvokeThroughProfiles", "Effect": "Allow", "Action": actions,
                   "Resource": [p["profileArn"] for p in profiles]}]
    for index, profile in enumerate(profiles):
        statements.append({
            "Sid": f"RoutedModels{index}",
            "Effect": "Allow",
            "Action": actions,
            "Resource": profile["routedModelArns"],
            "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": profile["profileArn"]}},
        })
    return {"Version": "2012-10-17", "Statement": statements}

