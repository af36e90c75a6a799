"""The Lambda sources under lambda/, run with the events VPC Lattice sends."""
from __future__ import annotations

import importlib.util
import json

from tests.helpers import ROOT

LAMBDA_DIR = ROOT / "lambda"

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


ALB_EVENT = {
    "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:666666666666:targetgroup/DirectoryServiceLb/0"}},
    "httpMethod": "GET",
    "path": "/",
    "queryStringParameters": {"q": "blue"},
    "headers": {"host": "shared-service-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws"},
    "body": "",
    "isBase64Encoded": False,
}


def test_directory_answers_alb_and_lattice_events() -> None:
    handler = load_handler("directory")
    for event in (
        ALB_EVENT,
        {**LATTICE_EVENT_V1, "query_string_parameters": {"q": "blue"}},
        {**LATTICE_EVENT_V2, "queryStringParameters": {"q": ["green", "blue"]}},
    ):
        response = handler(event, None)
        assert response["statusCode"] == 200, event
        assert json.loads(response["body"]) == {"endpoint": "blue"}
        assert response["headers"]["content-type"] == "application/json"


def test_directory_with_q_missing_or_empty() -> None:
    handler = load_handler("directory")
    missing = handler({**ALB_EVENT, "queryStringParameters": {}}, None)
    assert (missing["statusCode"], json.loads(missing["body"])) == (400, {"error": "missing query parameter q"})
    assert handler({**LATTICE_EVENT_V1, "query_string_parameters": None}, None)["statusCode"] == 400
    empty = handler({**ALB_EVENT, "queryStringParameters": {"q": ""}}, None)
    assert (empty["statusCode"], json.loads(empty["body"])) == (200, {"endpoint": ""})
    assert handler({**LATTICE_EVENT_V2, "queryStringParameters": {"q": [""]}}, None)["body"] == '{"endpoint": ""}'
    assert handler({**ALB_EVENT, "httpMethod": "POST"}, None)["statusCode"] == 405


def test_caller_reports_what_the_service_answered(monkeypatch) -> None:
    """The caller against a real HTTP server on loopback: 200, 403, unreachable."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Directory(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            allowed = self.path == "/?q=blue"
            body = b'{"endpoint": "blue"}' if allowed else b"AccessDeniedException: User: anonymous is not authorized"
            self.send_response(200 if allowed else 403)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Directory)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        caller = load_handler("caller")
        monkeypatch.setenv("SERVICE_URL", f"{base}/?q=blue")
        assert caller({}, None) == {"url": f"{base}/?q=blue", "statusCode": 200, "body": '{"endpoint": "blue"}'}
        denied = caller({"url": f"{base}/?q=green"}, None)
        assert denied["statusCode"] == 403 and denied["body"].startswith("AccessDeniedException")
    finally:
        server.shutdown()
        server.server_close()
    gone = caller({"url": base + "/"}, None)
    assert gone["statusCode"] == 0 and gone["body"].startswith("unreachable")
