#!/usr/bin/env python3
"""Print an API Gateway HTTP API (payload 2.0) request for the invoke example.

The request carries a bearer JWT signed with HS256, as the demo's identity
provider would issue it, whose `tenant_id` claim names the tenant.

Usage: apigw-request.py TENANT_ID PROMPT [MODEL]
Reads JWT_HS256_SECRET, JWT_ISSUER and JWT_AUDIENCE from the environment.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(tenant_id: str) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "tenant_id": tenant_id,
        "iss": os.environ["JWT_ISSUER"],
        "aud": os.environ["JWT_AUDIENCE"],
        "exp": int(time.time()) + 600,
    }
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = hmac.new(os.environ["JWT_HS256_SECRET"].encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    tenant_id, prompt = sys.argv[1], sys.argv[2]
    body = {"prompt": prompt}
    if len(sys.argv) == 4:
        body["model"] = sys.argv[3]
    request = {
        "version": "2.0",
        "routeKey": "POST /converse",
        "rawPath": "/converse",
        "rawQueryString": "",
        "headers": {"authorization": f"Bearer {token(tenant_id)}", "content-type": "application/json"},
        "requestContext": {
            "accountId": "111122223333",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {"method": "POST", "path": "/converse", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "demo"},
            "requestId": "demo",
            "routeKey": "POST /converse",
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": 0,
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
    print(json.dumps(request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
