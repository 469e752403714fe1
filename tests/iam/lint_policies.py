"""Lint IAM policy documents with parliament and report the findings not accepted here.

Reads JSON on stdin:

    {"documents": [{"name": "OnboardFunction:OnboardFunctionRolePolicy0",
                    "kind": "identity" | "trust",
                    "document": {...}}]}

and prints {"findings": [{"document": ..., "issue": ..., "severity": ...,
"detail": ..., "location": ...}, ...]}, leaving out the findings that
ACCEPTED below explains. Every check of parliament 1.6.4 runs, the
community auditors included.
"""

import json
import re
import sys
from importlib import resources

from parliament import analyze_policy_string, is_arn_match

ACTION_SCOPE = json.loads(
    resources.files("parliament").joinpath("iam_definition.json").read_text(encoding="utf-8")
)


def resource_formats(action: str) -> list:
    """The ARN formats of the resource types `action` acts on, from parliament's reference copy."""
    service, _, name = action.partition(":")
    for entry in ACTION_SCOPE:
        if entry["prefix"] != service.lower():
            continue
        formats = {resource["resource"]: resource["arn"] for resource in entry["resources"]}
        for privilege in entry["privileges"]:
            if privilege["privilege"].lower() == name.lower():
                kinds = [k["resource_type"].rstrip("*") for k in privilege["resource_types"]]
                # The reference writes formats with ${Partition}-style
                # placeholders; parliament matches them as wildcards.
                return [
                    (kind, re.sub(r"\$\{[^}]*\}", "*", formats[kind])) for kind in kinds if kind
                ]
    return []


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def every_resource_fits_its_actions(document: dict) -> bool:
    """Whether each resource of each statement is of a type its actions act on.

    parliament reports RESOURCE_MISMATCH when a statement does not cover every
    resource type an action can act on. The policies here cover fewer on
    purpose (only application inference profiles, say), so the finding is
    accepted when nothing in Resource is of a type the action cannot act on.
    A resource of the wrong type, such as `inference-profile/` where
    `application-inference-profile/` was meant, still fails.
    """
    for statement in as_list(document.get("Statement", [])):
        for action in as_list(statement.get("Action", [])):
            formats = resource_formats(action)
            if not formats:
                continue
            for resource in as_list(statement.get("Resource", [])):
                # A global cross-region profile routes to a foundation-model ARN
                # with an empty region field, which parliament's formats lack.
                fields = resource.split(":")
                if len(fields) > 5 and fields[3] == "" and "foundation-model/" in fields[5]:
                    fields[3] = "*"
                candidate = ":".join(fields)
                if not any(is_arn_match(kind, arn, candidate) for kind, arn in formats):
                    return False
    return True


def tenant_role_management(actions: set) -> bool:
    # The onboarding and offboarding functions exist to create and delete
    # tenant roles. The evaluator tests show that these actions are fenced to
    # the tenant path and the boundary.
    allowed = {"iam:createrole", "iam:putrolepolicy", "iam:deleterolepolicy", "iam:deleterole"}
    return actions <= allowed


# (issue, test of (name, kind, document, finding), reason). A finding is
# dropped only when its issue and its test both match.
ACCEPTED = [
    (
        "RESOURCE_MISMATCH",
        lambda name, kind, document, finding: every_resource_fits_its_actions(document),
        "each policy covers only the resource types it needs; see every_resource_fits_its_actions",
    ),
    (
        "MISMATCHED_TYPE_BUT_USABLE",
        lambda name, kind, document, finding: finding.detail
        == "Type mismatch: StringEquals requires a value of type String but given Arn",
        # iam:PermissionsBoundary and bedrock:InferenceProfileArn are ARN-typed.
        # StringEquals compares the whole ARN exactly and case-sensitively,
        # which is what these fences need, so ArnEquals would add nothing.
        "StringEquals on a full ARN is an exact match",
    ),
    (
        "PERMISSIONS_MANAGEMENT_ACTIONS",
        lambda name, kind, document, finding: tenant_role_management(
            {action.lower() for action in finding.location["actions"]}
        ),
        "creating and deleting tenant roles is the functions' job",
    ),
    (
        "RESOURCE_STAR",
        lambda name, kind, document, finding: name.endswith(
            ":arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ),
        # SAM attaches this AWS managed policy to every function role it
        # creates. It allows writing logs only.
        "AWS managed log permissions that SAM adds to every function",
    ),
    (
        "RESOURCE_STAR",
        lambda name, kind, document, finding: name == "tenant-boundary-policy"
        and set(finding.detail) <= {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"},
        # The boundary caps the actions of every tenant role. The inline
        # policy of each role names its own profile ARNs, which do not
        # exist yet when the boundary is deployed.
        "the boundary limits actions, the tenant policy limits resources",
    ),
    (
        "MALFORMED",
        lambda name, kind, document, finding: kind == "trust"
        and finding.detail == "Statement contains neither Resource nor NotResource",
        # parliament reads every document as an identity policy, but a
        # role's trust policy has no Resource element by definition.
        "trust policies have no Resource",
    ),
]


def main() -> int:
    try:
        documents = [
            (entry["name"], entry["kind"], entry["document"])
            for entry in json.load(sys.stdin)["documents"]
        ]
    except (KeyError, TypeError, ValueError) as error:
        print(f"lint_policies.py: invalid input: {error!r}", file=sys.stderr)
        return 2
    findings = []
    for name, kind, document in documents:
        if kind not in ("identity", "trust"):
            print(f"lint_policies.py: {name}: kind must be identity or trust", file=sys.stderr)
            return 2
        findings.extend(lint(name, kind, document))
    json.dump({"findings": findings}, sys.stdout)
    return 0


def lint(name: str, kind: str, document: dict) -> list:
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=True)
    reported = []
    for finding in policy.findings:
        if any(
            issue == finding.issue and accepts(name, kind, document, finding)
            for issue, accepts, _reason in ACCEPTED
        ):
            continue
        reported.append(
            {
                "document": name,
                "issue": finding.issue,
                "severity": finding.severity,
                "detail": finding.detail,
                "location": {
                    key: value
                    for key, value in (finding.location or {}).items()
                    if key != "filepath"
                },
            }
        )
    return reported


if __name__ == "__main__":
    sys.exit(main())
