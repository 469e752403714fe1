"""Minimal Lambda runtime loop for the Python baseline of `make bench`.

It does what the AWS Python runtime interface client (awslambdaric) does for
a function: import the handler module once (the init phase), then long-poll
the Runtime API for the next event, call the handler and post its result or
its error. Standard library only, so it adds no import time of its own.
"""

import json
import os
import sys
import traceback
import urllib.request

import onboard

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def post(path, body):
    request = urllib.request.Request(
        API + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        response.read()


def main():
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as response:
            request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(response.read())
        try:
            result = onboard.handler(event, None)
        except Exception as error:  # noqa: BLE001 - every error goes back to the Runtime API
            traceback.print_exc()
            post(
                f"/invocation/{request_id}/error",
                {"errorType": type(error).__name__, "errorMessage": str(error)},
            )
            continue
        post(f"/invocation/{request_id}/response", result)


if __name__ == "__main__":
    sys.exit(main())
