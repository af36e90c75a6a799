"""The Lambda sources under lambda/, run with the events VPC Lattice sends."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

LAMBDA_DIR = Path(__file__).resolve().parent.parent / "lambda"

# Event structure V1, as VPC Lattice sends it for `curl http://<service dns>/`.
LATTICE_EVENT_V1 = {
    "body": "",
    "headers": {"accept": "*/*", "host": "lambda-service-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws", "user-agent": "curl/8.3.0"},
    "is_base64_encoded": False,
    "method": "GET",
    "query_string_parameters": {},
    "raw_path": "/",
}
LATTICE_EVENT_V2 = {
    "version": "2.0",
    "path": "/",
    "method": "GET",
    "headers": {"accept": ["*/*"], "user-agent": ["curl/8.3.0"]},
    "queryStringParameters": {},
    "body": None,
    "isBase64Encoded": False,
    "requestContext": {
        "serviceNetworkArn": "arn:aws:vpc-lattice:eu-west-1:222222222222:servicenetwork/sn-0123456789abcdef0",
        "serviceArn": "arn:aws:vpc-lattice:eu-west-1:111111111111:service/svc-0123456789abcdef0",
        "targetGroupArn": "arn:aws:vpc-lattice:eu-west-1:111111111111:targetgroup/tg-0123456789abcdef0",
        "identity": {"sourceVpcArn": "arn:aws:ec2:eu-west-1:222222222222:vpc/vpc-0123456789abcdef0", "type": "AnonymousIdentity"},
        "region": "eu-west-1",
        "timeEpoch": "1700000000000000",
    },
}


def load_handler(function_dir: str, module: str = "lambda_function", name: str = "lambda_handler"):
    spec = importlib.util.spec_from_file_location(f"lambda_{function_dir}", LAMBDA_DIR / function_dir / f"{module}.py")
    assert spec and spec.loader
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return getattr(loaded, name)


def test_hello_answers_a_lattice_v1_event() -> None:
    response = load_handler("hello")(LATTICE_EVENT_V1, None)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == "Hello from Lambda!"
    assert response["body"] == '"Hello from Lambda!"'  # what curl prints


def test_hello_answers_a_lattice_v2_event() -> None:
    response = load_handler("hello")(LATTICE_EVENT_V2, None)
    assert (response["statusCode"], json.loads(response["body"])) == (200, "Hello from Lambda!")
