"""Evaluate IAM requests against identity policies with Principal Mapper.

Reads JSON on stdin:

    {"evaluations": [{
        "principal": {"arn": "arn:aws:iam::111122223333:role/tenants/r",
                      "policies": [<policy document>, ...],
                      "permissionsBoundary": <policy document or null>},
        "requests": [{"action": "bedrock:InvokeModel",
                      "resource": "arn:aws:bedrock:...",
                      "context": {"bedrock:InferenceProfileArn": "arn:..."}}]
    }]}

and prints {"evaluations": [[{"decision": "allowed" | "denied", "reason": ...}, ...]]},
one list per evaluation with one entry per request, in order.

The decision comes from principalmapper 1.1.5
(`local_check_authorization_full`): explicit deny first, then the
permissions boundary, then the identity policies. This script only checks
that the input stays inside what that function evaluates the way IAM does,
and exits with status 2 and a message otherwise, so that a test never
trusts a silently wrong decision:

* Principal Mapper treats a condition operator it does not know as
  matching, and evaluates `StringNotLike` on a missing key as not matching
  (IAM: matching). Policies may therefore use only the operators in
  SUPPORTED_OPERATORS.
* A request must name an action that the service authorization reference
  lists (parliament 1.6.4 ships a copy), and a service-specific condition
  key in its context must be one that the action supports there. Otherwise
  a typo, or a context IAM never sends (such as `iam:PermissionsBoundary`
  on `iam:TagRole`), would quietly change the decision.
"""

import collections
import collections.abc
import importlib.util
import json
import logging
import sys
from functools import lru_cache
from pathlib import Path

# NOTE: principalmapper 1.1.5, the latest release on PyPI, imports Mapping and
# MutableMapping from `collections`, which Python 3.10 removed (upstream
# nccgroup/PMapper fixed it on master without a release). Python 3.3 to 3.9
# exposed these same classes there as aliases of collections.abc, so
# restoring the aliases changes nothing in how policies are evaluated.
for _name in ("Mapping", "MutableMapping"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying.query_interface import local_check_authorization_full  # noqa: E402

# Operators whose Principal Mapper implementation matches IAM for single-valued
# keys, checked by reading principalmapper/querying/local_policy_simulation.py.
SUPPORTED_OPERATORS = {
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "Bool",
    "Null",
}
IF_EXISTS = "IfExists"
# Principal Mapper ignores every policy element except these.
STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}


class InputError(Exception):
    """The input requests something this wrapper cannot evaluate faithfully."""


def main() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        document = json.load(sys.stdin)
        results = [evaluate(evaluation) for evaluation in document["evaluations"]]
    except (InputError, KeyError, TypeError, ValueError) as error:
        print(f"evaluate.py: invalid input: {error!r}", file=sys.stderr)
        return 2
    json.dump({"evaluations": results}, sys.stdout)
    return 0


def evaluate(evaluation: dict) -> list:
    principal = evaluation["principal"]
    policies = principal["policies"]
    boundary = principal.get("permissionsBoundary")
    for index, policy in enumerate(policies):
        check_policy(policy, f"policies[{index}]")
    if boundary is not None:
        check_policy(boundary, "permissionsBoundary")

    arn = principal["arn"]
    node = Node(
        arn=arn,
        id_value="AROATESTPRINCIPAL",
        attached_policies=[
            Policy(arn, f"policy-{index}", policy) for index, policy in enumerate(policies)
        ],
        group_memberships=[],
        trust_policy={"Version": "2012-10-17", "Statement": []},
        instance_profile=None,
        num_access_keys=0,
        active_password=False,
        is_admin=False,
        permissions_boundary=(
            None if boundary is None else Policy(arn, "permissions-boundary", boundary)
        ),
        has_mfa=False,
        tags={},
    )
    return [decide(node, request) for request in evaluation["requests"]]


def decide(node: Node, request: dict) -> dict:
    action = request["action"]
    resource = request["resource"]
    context = request.get("context", {})
    check_request(action, context)

    # Principal Mapper logs why it decided at DEBUG level; keep the last line as the reason.
    reasons = ReasonLog()
    logger = logging.getLogger("principalmapper.querying.query_interface")
    logger.addHandler(reasons)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        allowed = local_check_authorization_full(node, action, resource, context)
    finally:
        logger.removeHandler(reasons)
    reason = reasons.last if not allowed else "allowed by an identity policy"
    return {"decision": "allowed" if allowed else "denied", "reason": reason}


class ReasonLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.last = "no statement matched"

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("Testing authorization"):
            self.last = message


def check_policy(policy: dict, where: str) -> None:
    statements = policy["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    for index, statement in enumerate(statements):
        path = f"{where}.Statement[{index}]"
        unknown = set(statement) - STATEMENT_KEYS
        if unknown:
            raise InputError(f"{path} has elements an identity policy cannot use: {sorted(unknown)}")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise InputError(f"{path}.Effect must be Allow or Deny, found {statement.get('Effect')!r}")
        for operator in statement.get("Condition", {}):
            base = operator[: -len(IF_EXISTS)] if operator.endswith(IF_EXISTS) else operator
            if base not in SUPPORTED_OPERATORS:
                raise InputError(
                    f"{path} uses condition operator {operator!r}, which this wrapper does not "
                    f"trust Principal Mapper to evaluate; supported: {sorted(SUPPORTED_OPERATORS)}"
                )


def check_request(action: str, context: dict) -> None:
    service, _, name = action.partition(":")
    privileges = service_privileges().get(service.lower())
    if privileges is None or name.lower() not in privileges:
        raise InputError(f"action {action!r} is not in the service authorization reference")
    supported = privileges[name.lower()]
    for key in context:
        prefix = key.split(":", 1)[0].lower()
        if prefix == service.lower() and key.lower() not in supported:
            raise InputError(
                f"IAM sends no condition key {key!r} with {action}; it supports {sorted(supported)}"
            )
        if not isinstance(context[key], str):
            raise InputError(f"context value of {key!r} must be a string")


@lru_cache(maxsize=1)
def service_privileges() -> dict:
    """Map service prefix to {lower-case action name: lower-case condition keys it supports}."""
    # Only parliament's data file is needed. Finding the package without
    # importing it saves the import of boto3 and of its auditors.
    package = importlib.util.find_spec("parliament")
    if package is None or not package.submodule_search_locations:
        raise InputError("parliament is not installed; run `make tools`")
    path = Path(package.submodule_search_locations[0]) / "iam_definition.json"
    definition = json.loads(path.read_text(encoding="utf-8"))
    services: dict = {}
    for service in definition:
        privileges = services.setdefault(service["prefix"].lower(), {})
        for privilege in service["privileges"]:
            keys = {
                key.lower()
                for resource_type in privilege["resource_types"]
                for key in resource_type["condition_keys"]
            }
            privileges[privilege["privilege"].lower()] = keys
    return services


if __name__ == "__main__":
    sys.exit(main())
