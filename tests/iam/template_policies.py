"""Print the IAM policies that template.yaml gives each Lambda function, resolved.

usage: template_policies.py TEMPLATE [--parameter NAME=VALUE ...]

The SAM template is first transformed to CloudFormation by aws-sam-translator,
the library `sam build` and `sam deploy` use, so the result includes what the
transform adds: the execution role, the AWSLambdaBasicExecutionRole managed
policy and the dead-letter queue policy. Intrinsic functions are then
resolved with fixed test values (account 111122223333, region us-east-1,
partition aws), the template's parameter defaults and the given overrides.
AWS managed policies are read from moto's copy of them.

Prints JSON:

    {"pseudoParameters": {...}, "parameters": {...},
     "resources": {"TenantTable": {"type": ..., "ref": ..., "arn": ...}, ...},
     "managedPolicies": {"TenantBoundaryPolicy": {"arn": ..., "document": {...}}},
     "functions": {"OnboardFunction": {"roleArn": ..., "environment": {...},
                                       "deadLetterTargetArn": ...,
                                       "permissionsBoundary": null,
                                       "policies": [{"name": ..., "document": {...}}]}}}

Anything it cannot resolve faithfully (an unknown intrinsic, resource type or
attribute, a role defined outside the template, an unknown managed policy)
stops it with status 2 and a message, so that a test never evaluates a
guessed policy.
"""

import argparse
import copy
import json
import os
import sys

ACCOUNT_ID = "111122223333"
REGION = "us-east-1"
PARTITION = "aws"
STACK_NAME = "tenant-profiles"
# Stands in for the random suffix CloudFormation appends to generated names.
NAME_SUFFIX = "TESTSUFFIX"

# aws-sam-translator reads the region through boto3 when it adds pseudo parameters.
os.environ["AWS_DEFAULT_REGION"] = REGION

import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

NO_VALUE = object()


class TemplateError(Exception):
    """The template uses something this script cannot resolve faithfully."""


class NoManagedPolicyLookup:
    """Stands in for the IAM client that SAM uses to turn managed policy names into ARNs."""

    def load(self) -> dict:
        raise TemplateError(
            "a function names a managed policy by name; give its ARN so the test can read it"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template")
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE")
    arguments = parser.parse_args()
    try:
        overrides = dict(item.split("=", 1) for item in arguments.parameter)
        with open(arguments.template, encoding="utf-8") as file:
            sam = yaml_parse(file.read())
        print(json.dumps(describe(sam, overrides), indent=1, sort_keys=True))
    except (TemplateError, ValueError, KeyError, TypeError) as error:
        print(f"template_policies.py: {error!r}", file=sys.stderr)
        return 2
    return 0


def describe(sam: dict, overrides: dict) -> dict:
    for resource in sam.get("Resources", {}).values():
        # Local paths are replaced by S3 URIs when the template is packaged;
        # the transform accepts only those.
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = "s3://bucket/key"
    template = transform(copy.deepcopy(sam), {}, NoManagedPolicyLookup())
    resolver = Resolver(template, overrides)

    resources = {}
    managed = {}
    for logical_id, resource in resolver.resources.items():
        kind = resource["Type"]
        if kind not in NAME_PROPERTIES:
            # Not a type a policy here names; a policy that refers to one
            # still stops the script when it is resolved.
            continue
        entry = {"type": kind, "ref": resolver.ref(logical_id)}
        if kind in ATTRIBUTES and "Arn" in ATTRIBUTES[kind]:
            entry["arn"] = resolver.get_att(logical_id, "Arn")
        resources[logical_id] = entry
        if kind == "AWS::IAM::ManagedPolicy":
            managed[logical_id] = {
                "arn": entry["ref"],
                "document": resolver.resolve(resource["Properties"]["PolicyDocument"]),
            }

    functions = {}
    for logical_id, resource in resolver.resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            functions[logical_id] = describe_function(resolver, logical_id, resource)

    return {
        "pseudoParameters": {
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Region": REGION,
            "AWS::Partition": PARTITION,
            "AWS::StackName": STACK_NAME,
        },
        "parameters": resolver.parameters,
        "resources": resources,
        "managedPolicies": managed,
        "functions": functions,
    }


def describe_function(resolver: "Resolver", logical_id: str, function: dict) -> dict:
    properties = function["Properties"]
    role = properties.get("Role")
    if not (isinstance(role, dict) and "Fn::GetAtt" in role):
        raise TemplateError(
            f"{logical_id}: its role {role!r} is not defined in the template, so its policies "
            "cannot be read"
        )
    role_id = get_att_target(role["Fn::GetAtt"])[0]
    role_resource = resolver.resources[role_id]
    if role_resource["Type"] != "AWS::IAM::Role":
        raise TemplateError(f"{logical_id}: {role_id} is a {role_resource['Type']}, not a role")
    role_properties = role_resource["Properties"]

    policies = []
    for policy in resolver.resolve(role_properties.get("Policies", [])):
        policies.append({"name": policy["PolicyName"], "document": policy["PolicyDocument"]})
    for arn in resolver.resolve(role_properties.get("ManagedPolicyArns", [])):
        policies.append({"name": arn, "document": managed_policy_document(resolver, arn)})
    for policy_id, resource in resolver.resources.items():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy"):
            continue
        attached = resource["Properties"].get("Roles", [])
        if resource["Type"] == "AWS::IAM::RolePolicy":
            attached = [resource["Properties"]["RoleName"]]
        if {"Ref": role_id} in attached:
            policies.append(
                {
                    "name": policy_id,
                    "document": resolver.resolve(resource["Properties"]["PolicyDocument"]),
                }
            )

    boundary = role_properties.get("PermissionsBoundary")
    environment = properties.get("Environment", {}).get("Variables", {})
    dead_letter = properties.get("DeadLetterConfig", {}).get("TargetArn")
    return {
        "roleArn": resolver.get_att(role_id, "Arn"),
        "deadLetterTargetArn": None if dead_letter is None else resolver.resolve(dead_letter),
        "permissionsBoundary": (
            None
            if boundary is None
            else managed_policy_document(resolver, resolver.resolve(boundary))
        ),
        "environment": resolver.resolve(environment),
        "policies": policies,
    }


def aws_managed_policies() -> dict:
    """Return moto's copy of the AWS managed policies, by policy name."""
    # The module is one JSON string. Loading its file directly skips the
    # import of the moto package, which takes about half a second.
    package = importlib.util.find_spec("moto")
    if package is None or not package.submodule_search_locations:
        raise TemplateError("moto is not installed; run `make tools`")
    path = Path(package.submodule_search_locations[0]) / "iam" / "aws_managed_policies.py"
    spec = importlib.util.spec_from_file_location("aws_managed_policies", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return json.loads(module.aws_managed_policies_data)


def managed_policy_document(resolver: "Resolver", arn: str) -> dict:
    for logical_id, resource in resolver.resources.items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and resolver.ref(logical_id) == arn:
            return resolver.resolve(resource["Properties"]["PolicyDocument"])
    prefix = f"arn:{PARTITION}:iam::aws:policy"
    if arn.startswith(prefix):
        path, _, name = arn[len(prefix):].rpartition("/")
        entry = aws_managed_policies().get(name)
        if entry is not None and entry.get("Path", "/") == path + "/":
            return entry["Document"]
    raise TemplateError(f"managed policy {arn} is neither in the template nor a known AWS policy")


# The attributes each resource type returns through Fn::GetAtt, as functions
# of (resolver, logical id, physical name). Only types the template uses are
# listed; any other type stops the script instead of being guessed.
ATTRIBUTES = {
    "AWS::DynamoDB::Table": {
        "Arn": lambda r, i, name: f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}",
    },
    "AWS::Events::EventBus": {
        "Arn": lambda r, i, name: f"arn:{PARTITION}:events:{REGION}:{ACCOUNT_ID}:event-bus/{name}",
        "Name": lambda r, i, name: name,
    },
    "AWS::SQS::Queue": {
        "Arn": lambda r, i, name: f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:{name}",
        "QueueName": lambda r, i, name: name,
        "QueueUrl": lambda r, i, name: f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}",
    },
    "AWS::Lambda::Function": {
        "Arn": lambda r, i, name: f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
    },
    "AWS::IAM::Role": {
        "Arn": lambda r, i, name: (
            f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role"
            f"{r.resolve(r.resources[i]['Properties'].get('Path', '/'))}{name}"
        ),
    },
    "AWS::IAM::ManagedPolicy": {},
    "AWS::Logs::LogGroup": {
        "Arn": lambda r, i, name: f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}:*",
    },
    "AWS::SNS::Topic": {"TopicArn": lambda r, i, name: r.ref(i)},
}

# The property that sets a resource's physical name, where the template may set it.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Events::EventBus": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SNS::Topic": "TopicName",
}


class Resolver:
    def __init__(self, template: dict, overrides: dict) -> None:
        self.template = template
        self.parameters = self._parameters(template.get("Parameters", {}), overrides)
        self.conditions: dict = {}
        self.resources = {
            logical_id: resource
            for logical_id, resource in template.get("Resources", {}).items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }

    @staticmethod
    def _parameters(declared: dict, overrides: dict) -> dict:
        unknown = set(overrides) - set(declared)
        if unknown:
            raise TemplateError(f"no such template parameters: {sorted(unknown)}")
        values = {}
        for name, declaration in declared.items():
            value = overrides.get(name, declaration.get("Default"))
            if value is None:
                continue
            if declaration.get("Type") == "CommaDelimitedList":
                value = [item.strip() for item in str(value).split(",")]
            values[name] = value
        return values

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.resolve(self.template["Conditions"][name]))
        return self.conditions[name]

    def physical_name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        name_property = NAME_PROPERTIES.get(resource["Type"])
        if name_property and name_property in resource.get("Properties", {}):
            return self.resolve(resource["Properties"][name_property])
        return f"{STACK_NAME}-{logical_id}-{NAME_SUFFIX}"

    def ref(self, name: str):
        pseudo = {
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Region": REGION,
            "AWS::Partition": PARTITION,
            "AWS::StackName": STACK_NAME,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.get("Parameters", {}):
            if name not in self.parameters:
                raise TemplateError(f"parameter {name} has no default; pass --parameter {name}=...")
            return self.parameters[name]
        if name not in self.resources:
            raise TemplateError(f"Ref to {name}, which is not a resource of this test's stack")
        kind = self.resources[name]["Type"]
        physical = self.physical_name(name)
        if kind == "AWS::IAM::ManagedPolicy":
            path = self.resolve(self.resources[name]["Properties"].get("Path", "/"))
            return f"arn:{PARTITION}:iam::{ACCOUNT_ID}:policy{path}{physical}"
        if kind == "AWS::SQS::Queue":
            return ATTRIBUTES[kind]["QueueUrl"](self, name, physical)
        if kind == "AWS::SNS::Topic":
            return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT_ID}:{physical}"
        if kind in NAME_PROPERTIES:
            return physical
        raise TemplateError(f"Ref to {name}: resource type {kind} is not supported")

    def get_att(self, logical_id: str, attribute: str):
        if logical_id not in self.resources:
            raise TemplateError(f"Fn::GetAtt on {logical_id}, which is not a resource")
        kind = self.resources[logical_id]["Type"]
        getter = ATTRIBUTES.get(kind, {}).get(attribute)
        if getter is None:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute} ({kind}) is not supported")
        return getter(self, logical_id, self.physical_name(logical_id))

    def resolve(self, value):
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Condition":
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self.intrinsic(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def intrinsic(self, name: str, argument):
        if name == "Fn::GetAtt":
            logical_id, attribute = get_att_target(argument)
            return self.get_att(logical_id, attribute)
        if name == "Fn::Sub":
            return self.sub(argument)
        if name == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in self.resolve(items))
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(condition) else when_false)
        if name == "Fn::Equals":
            left, right = self.resolve(argument)
            return left == right
        if name == "Fn::Not":
            return not self.resolve(argument)[0]
        if name == "Fn::And":
            return all(self.resolve(argument))
        if name == "Fn::Or":
            return any(self.resolve(argument))
        if name == "Fn::Select":
            index, items = self.resolve(argument)
            return items[int(index)]
        if name == "Fn::Split":
            separator, text = self.resolve(argument)
            return text.split(separator)
        raise TemplateError(f"intrinsic function {name} is not supported")

    def sub(self, argument) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], self.resolve(argument[1])
        else:
            text, variables = argument, {}
        result = []
        position = 0
        while True:
            start = text.find("${", position)
            if start < 0:
                result.append(text[position:])
                return "".join(result)
            end = text.index("}", start)
            result.append(text[position:start])
            name = text[start + 2:end]
            if name.startswith("!"):
                # ${!Literal} writes ${Literal} unchanged.
                result.append("${" + name[1:] + "}")
            elif name in variables:
                result.append(str(variables[name]))
            elif "." in name:
                logical_id, attribute = name.split(".", 1)
                result.append(str(self.get_att(logical_id, attribute)))
            else:
                result.append(str(self.ref(name)))
            position = end + 1


def get_att_target(argument) -> tuple:
    if isinstance(argument, str):
        logical_id, attribute = argument.split(".", 1)
        return logical_id, attribute
    return argument[0], argument[1]


if __name__ == "__main__":
    sys.exit(main())
