"""Translate a SAM template to plain CloudFormation JSON, offline.

cfn-lint 1.x validates SAM resources against SAM's schemas without running
the transform, so it cannot check a `!GetAtt` or `!Ref` that names a resource
SAM generates (a function's rule `<Function><Event>`, its role, its
permissions). Linting this script's output checks those too.

The translator is the aws-sam-translator package that SAM CLI uses. It
requests the list of AWS managed policies only when a function's Policies
name one. The loader below raises instead of calling IAM, so the script
never contacts AWS.

Usage: python infra/sam-translate.py template.yaml [Name=Value ...] > out.json
"""

import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# `sam validate` substitutes the same kind of placeholder: the translator
# accepts a local CodeUri only after `sam package` has uploaded the code.
PLACEHOLDER_CODE_URI = "s3://placeholder-bucket/placeholder-key.zip"


class OfflinePolicyLoader:
    """Managed policy loader that raises instead of calling IAM."""

    def load(self):
        raise RuntimeError(
            "the template names an AWS managed policy by name; use its ARN so the "
            "translation stays offline"
        )


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as template_file:
        template = yaml_parse(template_file.read())
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = PLACEHOLDER_CODE_URI
    parameters = dict(argument.split("=", 1) for argument in argv[2:])
    # The translator resolves AWS::Region for ARNs it builds; any region will do.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    translated = transform(template, parameters, OfflinePolicyLoader())
    json.dump(translated, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
