"""What curl sends (its path without dot segments, its method as written) and what a
listener accepts (TLS or not, TLS passthrough authorized as a connection), against
the distributed pattern's output changed in memory."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lattice_check.curl import curl
from lattice_check.graph import Model
from lattice_check.http_call import without_dot_segments

CONSUMER = "distributed-consumer-account/vpc1"
URL = "http://lambda-service"
SERVICE_ID = "${aws_vpclattice_service.lambdaservice_service.id}"
LISTENER_ID = "${aws_vpclattice_listener.lambdaservice_listener.listener_id}"


def service_stack(model: Model) -> dict[str, Any]:
    return model.stacks["distributed-service-account"].document["resource"]


def open_consumer_ports(model: Model) -> None:
    """The consumer's association security group admits only 80: open every port."""
    for group in model.stacks["distributed-consumer-account"].document["resource"]["aws_security_group"].values():
        for rule in group.get("ingress") or []:
            rule["from_port"], rule["to_port"] = 0, 65535


@pytest.mark.parametrize(
    "path, sent",
    [
        ("/a/b/c/./../../g", "/a/g"),  # RFC 3986 section 5.2.4's own example
        ("/public/../admin", "/admin"),
        ("/a/b/..", "/a/"),
        ("/a/.", "/a/"),
        ("/../x", "/x"),  # never above the root
        ("/a//b", "/a//b"),  # an empty segment is not a dot segment
        ("/a/..b/.c", "/a/..b/.c"),
        ("/", "/"),
    ],
)
def test_curl_sends_the_path_without_its_dot_segments(path: str, sent: str) -> None:
    assert without_dot_segments(path) == sent


def test_a_dot_segment_does_not_step_around_a_path_in_the_auth_policy(model: Model) -> None:
    policy = service_stack(model)["aws_vpclattice_auth_policy"]["lambdaservice_service_auth-policy"]
    policy["policy"] = policy["policy"].replace("lambdaservice_service.arn}/*", "lambdaservice_service.arn}/public/*")
    assert curl(model, CONSUMER, f"{URL}/public/x").status == 200
    around = curl(model, CONSUMER, f"{URL}/public/../admin")
    assert (around.decision, around.status) == ("DENY", 403)
    assert around.body.endswith("/admin because no service-based policy allows the vpc-lattice-svcs:Invoke action")


@pytest.mark.parametrize(
    "match, url, method, status",
    [
        ({"path_match": {"match": {"prefix": "/admin"}, "case_sensitive": True}}, f"{URL}/public/../admin", "GET", 404),
        ({"method": "GET"}, f"{URL}/", "GET", 404),
        ({"method": "GET"}, f"{URL}/", "get", 200),  # a method match is exact: curl -X get sends "get"
    ],
)
def test_rules_match_what_curl_sends(model: Model, match: dict, url: str, method: str, status: int) -> None:
    service_stack(model)["aws_vpclattice_listener_rule"] = {"r": {
        "name": "r", "priority": 10, "service_identifier": SERVICE_ID, "listener_identifier": LISTENER_ID,
        "match": {"http_match": match}, "action": {"fixed_response": {"status_code": 404}},
    }}
    assert curl(model, CONSUMER, url, method=method).status == status


@pytest.mark.parametrize(
    "protocol, port, url, reached",
    [
        ("HTTP", 80, "https://lambda-service:80/", False),  # TLS to a plain HTTP listener
        ("HTTPS", 443, "http://lambda-service:443/", False),  # plain HTTP to a TLS listener
        ("HTTPS", 443, "https://lambda-service/", True),
        ("HTTP", 80, "http://lambda-service/", True),
    ],
)
def test_the_scheme_must_be_what_the_listener_speaks(model: Model, protocol: str, port: int, url: str, reached: bool) -> None:
    listener = service_stack(model)["aws_vpclattice_listener"]["lambdaservice_listener"]
    listener["protocol"], listener["port"] = protocol, port
    open_consumer_ports(model)
    answer = curl(model, CONSUMER, url)
    assert (answer.decision, answer.status) == (("ALLOW", 200) if reached else ("UNREACHABLE", None))
    if not reached:
        assert any(r.startswith(f"listener httplistener ({protocol} {port}): ") and "no HTTP answer" in r for r in answer.reasons)


def passthrough(model: Model, service_policy: dict, *, network_connects: bool = True) -> None:
    """A TLS passthrough listener on 5432 to an IP target group, and ``service_policy``;
    the consumer's network policy lets it connect too, unless ``network_connects`` is false."""
    if network_connects:
        network = model.stacks["distributed-consumer-account"].document["resource"]["aws_vpclattice_auth_policy"]["vpc1-service-network_auth-policy"]
        network["policy"] = network["policy"].replace(
            '"Action" = "vpc-lattice-svcs:Invoke"', '"Action" = ["vpc-lattice-svcs:Invoke", "vpc-lattice-svcs:Connect"]'
        ).replace("lambdaservice}/*", "lambdaservice}*")
    resources = service_stack(model)
    resources["aws_vpclattice_service"]["lambdaservice_service"]["custom_domain_name"] = "db.example.internal"
    resources["aws_vpclattice_target_group"]["tcp"] = {
        "name": "pg", "type": "IP", "config": {"port": 5432, "protocol": "TCP", "vpc_identifier": "vpc-0123456789abcdef0"},
    }
    resources["aws_vpclattice_listener"]["tls"] = {
        "name": "tls", "protocol": "TLS_PASSTHROUGH", "port": 5432, "service_identifier": SERVICE_ID,
        "default_action": {"forward": [{"target_groups": [{"target_group_identifier": "${aws_vpclattice_target_group.tcp.id}"}]}]},
    }
    resources["aws_vpclattice_auth_policy"]["lambdaservice_service_auth-policy"]["policy"] = json.dumps(service_policy)
    open_consumer_ports(model)


def allow(action: str, resource: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Sid": "Let", "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}]}


def test_tls_passthrough_is_authorized_as_a_connection_to_the_service(model: Model) -> None:
    passthrough(model, allow("vpc-lattice-svcs:Connect", "arn:aws:vpc-lattice:eu-west-1:111111111111:service/*"))
    answer = curl(model, CONSUMER, "https://db.example.internal:5432/")
    assert (answer.decision, answer.status) == ("ALLOW", None)
    assert "network auth policy: allowed by statement InvokeFromAssociatedVpcs" in answer.reasons  # SourceVpc: a connection key
    assert "service auth policy: allowed by statement Let" in answer.reasons
    assert "what the target answers inside the TLS session is not modeled" in answer.reasons


def test_a_network_policy_that_allows_only_invoke_refuses_the_connection(model: Model) -> None:
    passthrough(model, allow("vpc-lattice-svcs:Connect", "*"), network_connects=False)
    answer = curl(model, CONSUMER, "https://db.example.internal:5432/")
    assert answer.decision == "DENY" and "network auth policy: no statement allows" in answer.reasons


@pytest.mark.parametrize(
    "policy",
    [
        allow("vpc-lattice-svcs:Invoke", "*"),  # an Invoke is not a Connect
        allow("vpc-lattice-svcs:Connect", "arn:aws:vpc-lattice:eu-west-1:111111111111:service/*/*"),  # a connection has no path
    ],
)
def test_tls_passthrough_refused_is_a_reset_not_a_403(model: Model, policy: dict) -> None:
    passthrough(model, policy)
    answer = curl(model, CONSUMER, "https://db.example.internal:5432/")
    assert (answer.decision, answer.status, answer.body) == ("DENY", None, "")
    assert "the connection is reset: a TLS passthrough listener sends no HTTP answer" in answer.reasons
    assert not curl(model, CONSUMER, "http://db.example.internal:5432/").reachable


@pytest.mark.parametrize("attribute", ["listener_id", "arn"])
def test_a_rule_names_its_listener_by_id_or_arn(model: Model, attribute: str) -> None:
    service_stack(model)["aws_vpclattice_listener_rule"] = {"admin": {
        "name": "block-admin", "priority": 10, "service_identifier": SERVICE_ID,
        "listener_identifier": f"${{aws_vpclattice_listener.lambdaservice_listener.{attribute}}}",
        "match": {"http_match": {"path_match": {"match": {"prefix": "/admin"}}}}, "action": {"fixed_response": {"status_code": 404}},
    }}
    answer = curl(model, CONSUMER, f"{URL}/admin")
    assert answer.status == 404 and "listener httplistener (HTTP 80): rule block-admin (priority 10) matched" in answer.reasons


@pytest.mark.parametrize("where", ["forward", "attachment"])
def test_a_target_group_is_named_by_id_or_arn(model: Model, where: str) -> None:
    resources = service_stack(model)
    by_arn = "${aws_vpclattice_target_group.lambdaservice_target_target-group.arn}"
    if where == "forward":
        forward = resources["aws_vpclattice_listener"]["lambdaservice_listener"]["default_action"]["forward"]
        forward[0]["target_groups"][0]["target_group_identifier"] = by_arn
    else:
        (attachment,) = resources["aws_vpclattice_target_group_attachment"].values()
        attachment["target_group_identifier"] = by_arn
    answer = curl(model, CONSUMER, f"{URL}/")
    assert (answer.status, json.loads(answer.body)) == (200, "Hello from Lambda!")


@pytest.mark.parametrize("change", ["removed", "another source"])
def test_lattice_invokes_a_function_only_with_its_permission(model: Model, change: str) -> None:
    permissions = service_stack(model)["aws_lambda_permission"]
    assert curl(model, CONSUMER, f"{URL}/").status == 200
    if change == "removed":
        permissions.clear()
    else:
        (permission,) = permissions.values()
        permission["source_arn"] = "arn:aws:vpc-lattice:eu-west-1:111111111111:targetgroup/tg-0000000000000000a"
    answer = curl(model, CONSUMER, f"{URL}/")
    assert (answer.decision, answer.status) == ("ALLOW", None)
    assert any("no aws_lambda_permission lets vpc-lattice.amazonaws.com invoke" in r and "Lambda refuses the invoke" in r for r in answer.reasons)


def test_an_alb_target_function_needs_the_load_balancers_permission(model: Model) -> None:
    url = "http://shared-service/?q=blue"
    assert curl(model, "shared-blue-account/blue-sandbox", url).status == 200
    model.stacks["shared-common-account"].document["resource"]["aws_lambda_permission"].clear()
    answer = curl(model, "shared-blue-account/blue-sandbox", url)
    assert answer.status is None
    assert any("fails at apply: RegisterTargets refuses" in r and "elasticloadbalancing.amazonaws.com" in r for r in answer.reasons)


@pytest.mark.parametrize(
    "reply, status, body",
    [
        ({"statusCode": 201, "body": "made"}, 201, "made"),
        ({"statusCode": "202", "body": "text digits"}, 202, "text digits"),
        ({"statusCode": 200, "body": "aGVsbG8=", "isBase64Encoded": True}, 200, "hello"),  # the client gets it decoded
        ({"statusCode": 200}, 200, ""),  # no body: an empty one
        ({"statusCode": "OK", "body": "x"}, 502, ""),  # no HTTP status: the reply is refused
        ({"statusCode": None, "body": "x"}, 502, ""),
        ({"statusCode": 42, "body": "x"}, 502, ""),
        ({"statusCode": 200, "body": "not base64!", "isBase64Encoded": True}, 502, ""),
    ],
)
def test_what_the_client_gets_of_the_functions_reply(model: Model, tmp_path: Path, reply: dict, status: int, body: str) -> None:
    package = tmp_path / "reply.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("reply.py", f"def handler(event, context):\n    return {reply!r}\n")
    function = service_stack(model)["aws_lambda_function"]["lambdaservice_function"]
    function["filename"], function["handler"] = str(package), "reply.handler"
    answer = curl(model, CONSUMER, f"{URL}/")
    assert (answer.status, answer.body) == (status, body)


def custom_domain_zone(model: Model, records: dict[str, dict]) -> None:
    """hello.example.internal on the service, and a private zone example.internal on vpc1 holding ``records``."""
    service_stack(model)["aws_vpclattice_service"]["lambdaservice_service"]["custom_domain_name"] = "hello.example.internal"
    consumer = model.stacks["distributed-consumer-account"].document["resource"]
    vpc = consumer["aws_vpclattice_service_network_vpc_association"]["vpc1_service-network-association_association"]["vpc_identifier"]
    consumer["aws_route53_zone"] = {"z": {"name": "example.internal", "vpc": [{"vpc_id": vpc}]}}
    consumer["aws_route53_record"] = {
        name: {"zone_id": "${aws_route53_zone.z.zone_id}", "name": label, "type": "CNAME", "ttl": 60, "records": [to]}
        for name, (label, to) in records.items()
    }


@pytest.mark.parametrize("wildcard_first", [True, False])
def test_the_record_of_the_very_name_answers_before_a_wildcard(model: Model, wildcard_first: bool) -> None:
    service = model.attribute(model.stacks["distributed-service-account"], "aws_vpclattice_service", "lambdaservice_service", "dns_entry[0].domain_name")
    records = {"wild": ("*", "legacy.example.com"), "hello": ("hello", service)}
    custom_domain_zone(model, records if wildcard_first else dict(reversed(list(records.items()))))
    answer = curl(model, CONSUMER, "http://hello.example.internal/")
    assert answer.status == 200 and any("aws_route53_record.hello" in r for r in answer.reasons)


def test_a_name_that_points_elsewhere_is_not_followed_and_not_answered(model: Model) -> None:
    custom_domain_zone(model, {"hello": ("hello", "legacy.example.com")})
    answer = curl(model, CONSUMER, "http://hello.example.internal/")
    assert (answer.decision, answer.status) == ("UNKNOWN", None)
    assert any("points elsewhere (legacy.example.com): not modeled further" in r for r in answer.reasons)


def test_the_target_gets_the_identity_headers_lattice_sets_not_the_clients(model: Model, tmp_path: Path) -> None:
    package = tmp_path / "echo.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("echo.py", "import json\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event['headers'])}\n")
    function = service_stack(model)["aws_lambda_function"]["lambdaservice_function"]
    function["filename"], function["handler"] = str(package), "echo.handler"
    forged = {"x-amzn-lattice-identity": "Principal=arn:aws:iam::999999999999:role/admin", "x-amzn-lattice-network": "SourceVpcArn=forged", "x-team": "blue"}
    headers = json.loads(curl(model, CONSUMER, f"{URL}/", headers=forged).body)
    assert "x-amzn-lattice-identity" not in headers and headers["x-team"] == "blue"
    assert headers["x-amzn-lattice-network"].startswith("SourceVpcArn=arn:aws:ec2:eu-west-1:")
    assert headers["x-amzn-lattice-target"].startswith("ServiceArn=arn:aws:vpc-lattice:eu-west-1:111111111111:service/svc-")
    assert ";ServiceNetworkArn=arn:aws:vpc-lattice:" in headers["x-amzn-lattice-target"] and ";TargetGroupArn=" in headers["x-amzn-lattice-target"]


SHARED_CALLER, SHARED_URL = "shared-blue-account/blue-sandbox", "http://shared-service/"


def alb_events(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The events the ALB path hands its function, as they are sent."""
    from lattice_check import targets

    seen: list[dict] = []
    invoke = targets.invoke
    monkeypatch.setattr(targets, "invoke", lambda topology, stack, arn, event, tables: seen.append(event) or invoke(topology, stack, arn, event, tables))
    return seen


def test_lattice_sends_to_the_alb_listener_on_its_target_groups_port(model: Model) -> None:
    common = model.stacks["shared-common-account"].document["resource"]
    listeners = common["aws_lb_listener"]
    (name, listener), = listeners.items()
    other = {"load_balancer_arn": listener["load_balancer_arn"], "port": 8443, "protocol": "HTTP",
             "default_action": [{"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "503"}}]}
    common["aws_lb_listener"] = {"admin": other, name: listener}  # declared first
    assert curl(model, SHARED_CALLER, f"{SHARED_URL}?q=blue").status == 200
    listener["port"] = 8080
    moved = curl(model, SHARED_CALLER, f"{SHARED_URL}?q=blue")
    assert moved.status is None and any("where the ALB has no listener: connection refused" in r for r in moved.reasons)


def test_the_albs_event_keeps_the_query_encoded_and_base64s_a_form_body(model: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    events = alb_events(monkeypatch)
    curl(model, SHARED_CALLER, f"{SHARED_URL}?q=blue&x=a%2Fb%20c")
    assert events[-1]["queryStringParameters"] == {"q": "blue", "x": "a%2Fb%20c"}  # the ALB does not decode it
    curl(model, SHARED_CALLER, f"{SHARED_URL}?q=blue", data="a=1")  # curl -d: a form (GET: what the service admits)
    assert (events[-1]["body"], events[-1]["isBase64Encoded"]) == ("YT0x", True)
    curl(model, SHARED_CALLER, f"{SHARED_URL}?q=blue", data='{"a": 1}', headers={"Content-Type": "application/json"})
    assert (events[-1]["body"], events[-1]["isBase64Encoded"]) == ('{"a": 1}', False)
    assert len(events) == 3, "each request reached the function"


def lattice_events(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The events Lattice's Lambda targets get (the same spy as the ALB's)."""
    return alb_events(monkeypatch)


def test_a_header_sent_twice_is_joined_in_v1_and_listed_in_v2(model: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    events = lattice_events(monkeypatch)
    curl(model, CONSUMER, f"{URL}/", headers={"X-Team": ["a", "b"], "X-One": "only"})
    assert (events[-1]["headers"]["x-team"], events[-1]["headers"]["x-one"]) == ("a,b", "only")  # V1: comma-joined
    (group,) = service_stack(model)["aws_vpclattice_target_group"].values()
    group["config"]["lambda_event_structure_version"] = "V2"
    curl(model, CONSUMER, f"{URL}/", headers={"X-Team": ["a", "b"], "X-One": "only"})
    assert (events[-1]["headers"]["x-team"], events[-1]["headers"]["x-one"]) == (["a", "b"], ["only"])


def test_the_cli_sends_a_repeated_header_again_and_reads_a_body_from_a_file(
    default_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lattice_check.__main__ import main

    events = lattice_events(monkeypatch)
    body = tmp_path / "order.json"
    body.write_text('{"food": "pizza",\r\n "fullName": "Jane"}\n', encoding="utf-8")
    argv = ["curl", "--out", str(default_out), "--from", CONSUMER, "-H", "X-Team: a", "-H", "x-team: b", "-d", f"@{body}", "-X", "GET", f"{URL}/"]
    assert main(argv) == 0
    sent = events[-1]
    assert sent["headers"]["x-team"] == "a,b" and sent["body"] == '{"food": "pizza", "fullName": "Jane"}'  # curl -d drops the line breaks
    assert sent["headers"]["content-type"] == "application/x-www-form-urlencoded"
    capsys.readouterr()
    assert main(["curl", "--out", str(default_out), "--from", CONSUMER, "-d", f"@{tmp_path / 'missing.json'}", f"{URL}/"]) == 2
    assert f"-d '@{tmp_path / 'missing.json'}': {tmp_path / 'missing.json'}: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("permission_for", ["the alias", "the alias by its ARN", "the function"])
def test_a_lambda_target_registered_by_its_alias(model: Model, permission_for: str) -> None:
    """The Lattice guide recommends registering an alias; its permission is the alias's own."""
    resources = service_stack(model)
    resources["aws_lambda_alias"] = {"live": {
        "name": "live", "function_name": "${aws_lambda_function.lambdaservice_function.function_name}", "function_version": "$LATEST",
    }}
    (attachment,) = resources["aws_vpclattice_target_group_attachment"].values()
    attachment["target"]["id"] = "${aws_lambda_alias.live.arn}"
    (permission,) = resources["aws_lambda_permission"].values()
    if permission_for == "the alias":
        permission["qualifier"] = "live"
    elif permission_for == "the alias by its ARN":
        permission["function_name"] = "${aws_lambda_alias.live.arn}"
    answer = curl(model, CONSUMER, f"{URL}/")
    if permission_for == "the function":  # a permission of the function does not cover its alias
        assert answer.status is None and any("Lambda refuses the invoke" in r for r in answer.reasons)
    else:
        assert (answer.status, json.loads(answer.body)) == (200, "Hello from Lambda!")


def test_a_v2_event_names_the_signed_callers_session(model: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    events = lattice_events(monkeypatch)
    (group,) = service_stack(model)["aws_vpclattice_target_group"].values()
    group["config"]["lambda_event_structure_version"] = "V2"
    session = "arn:aws:sts::222222222222:assumed-role/caller/nightly-report"
    curl(model, CONSUMER, f"{URL}/", principal=session)
    assert events[-1]["requestContext"]["identity"] | {"sourceVpcArn": None} == {
        "sourceVpcArn": None, "type": "AWS_IAM", "principal": session, "sessionName": "nightly-report",
    }


def test_an_answer_to_head_has_no_body(model: Model) -> None:
    assert curl(model, CONSUMER, URL).body == "\"Hello from Lambda!\""
    head = curl(model, CONSUMER, URL, method="HEAD")
    assert (head.status, head.body) == (200, "") and "HEAD: the body of the answer is not sent" in head.reasons


EDGE, ON_PREMISES = "ingress-edge-account/ingress-edge", "172.16.5.10"


@pytest.mark.parametrize("private_dns, decision", [(True, "ALLOW"), (False, "UNREACHABLE"), (None, "UNREACHABLE"), ("${var.dns}", "UNKNOWN")])
def test_a_service_network_endpoint_serves_the_services_names_only_with_its_private_dns(model: Model, private_dns, decision: str) -> None:
    """Before, every service-network endpoint was taken to have private DNS on. Unset is
    off: the provider sends false (hashicorp/terraform-provider-aws#37715)."""
    endpoint = model.stacks["ingress-edge-account"].document["resource"]["aws_vpc_endpoint"]["service-network-endpoint_endpoint"]
    endpoint.pop("private_dns_enabled")
    if private_dns is not None:
        endpoint["private_dns_enabled"] = private_dns
    by_name = curl(model, EDGE, "http://ingress-service/", from_cidr=ON_PREMISES)
    assert by_name.decision == decision, by_name.reasons
    if decision == "UNREACHABLE":
        assert any("private DNS off" in r and "the connection times out" in r for r in by_name.reasons)
    # Through the load balancer no name is looked up: the endpoint's addresses are its targets.
    through = curl(model, EDGE, "http://hello.lattice-ingress.internal/", from_cidr=ON_PREMISES)
    assert (through.decision, through.status) == ("ALLOW", 200)


@pytest.mark.parametrize("host, decision", [("lambda-service", "ALLOW"), ("LAMBDA-SERVICE:80", "ALLOW"), ("other-service", "UNKNOWN")])
def test_a_host_header_that_names_another_host_is_not_routed_by_the_url(model: Model, host: str, decision: str) -> None:
    """Before, the URL's host chose the service whatever Host header was sent."""
    answer = curl(model, CONSUMER, URL, headers={"Host": host})
    assert answer.decision == decision
    if decision == "UNKNOWN":
        assert answer.reasons == ["not modeled: a Host header (other-service) other than the URL's host (lambda-service): which service answers depends on it"]


def test_the_target_gets_the_headers_curl_sends_of_its_own(model: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, only the headers given with -H reached the target."""
    events = lattice_events(monkeypatch)
    curl(model, CONSUMER, URL)
    assert {k: events[-1]["headers"][k] for k in ("host", "accept")} == {"host": "lambda-service", "accept": "*/*"}
    assert "content-length" not in events[-1]["headers"] and "user-agent" not in events[-1]["headers"]
    curl(model, CONSUMER, URL, method="GET", data="a=é", headers={"Accept": "", "Host": "LAMBDA-SERVICE"})
    sent = events[-1]["headers"]
    assert "accept" not in sent, "-H 'Accept:' removes it, as in curl"
    assert (sent["host"], sent["content-type"], sent["content-length"]) == ("LAMBDA-SERVICE", "application/x-www-form-urlencoded", "4")


def test_curl_names_a_port_in_its_host_header_only_when_it_is_not_the_schemes() -> None:
    from lattice_check.http_call import http_call

    assert http_call("http://svc:80/").headers["host"] == "svc"
    assert http_call("https://svc:443/").headers["host"] == "svc"
    assert http_call("http://svc:8080/").headers["host"] == "svc:8080"
    assert http_call("http://svc:8080/").sent_host == "svc"
