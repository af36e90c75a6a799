"""lattice_check follows seed 002's original path (private zone -> internal ALB ->
execute-api endpoint -> custom domain and base path -> private API -> validator ->
Lambda proxy -> DynamoDB stand-in), and each hop fails the way AWS fails when the
Terraform breaks it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lattice_check.__main__ import main
from lattice_check.callers import Request
from lattice_check.curl import curl
from lattice_check.dynamodb import Tables, table_definitions
from lattice_check.graph import Model
from lattice_check.statements import evaluate_policy
from lattice_check.tfjson import decode_json_argument
from lattice_check.topology import Topology

CLIENT = "microservices-consumer-account/cross-account-microservices"
ORDERS = "https://food.cross-account-microservices.com/v1/orders"
PIZZA = {"food": "pizza", "fullName": "Jane Doe"}
JSON = {"Content-Type": "application/json"}


def resources(model: Model, stack: str, kind: str) -> dict:
    return model.stacks[f"microservices-{stack}-account"].document["resource"][kind]


def said(answer, text: str) -> bool:
    """Whether a reason of ``answer`` says ``text``."""
    return any(text in reason for reason in answer.reasons)


def order(model: Model, tables: Tables, body: dict = PIZZA):
    return curl(model, CLIENT, ORDERS, method="POST", headers=JSON, data=json.dumps(body), tables=tables)


def test_the_hops_in_order_and_the_order_kept(model: Model) -> None:
    tables = Tables()
    placed = order(model, tables)
    assert (placed.decision, placed.status) == ("ALLOW", 200)
    stored = json.loads(placed.body)["order"]
    assert stored["food"] == "pizza" and len(stored["orderId"]) == 32
    hops = ["DNS: food.cross-account-microservices.com is an alias to internal-cross-account-microservices-", "security group sg-",
            "TLS: the certificate", "listener aws_lb_listener.alb_listener (HTTPS 443) forwards", "its 2 IP targets are the addresses",
            "load balancer to endpoint: egress TCP 443", "API Gateway: Host food.cross-account-microservices.com", "resource policy of API",
            "method POST /orders", "validator", "aws_lambda_permission.api_invoke-2", "aws_proxy integration: ran cross-account-microservices-food-post-order"]
    positions = [next(i for i, reason in enumerate(placed.reasons) if reason.startswith(hop)) for hop in hops]
    assert positions == sorted(positions)
    items = tables.of("888888888888", "eu-west-1")["cross-account-microservices-food"]
    assert items == [{k: {"S": v} for k, v in stored.items()}]
    got = curl(model, CLIENT, f"{ORDERS}/{stored['orderId']}", tables=tables)
    assert (got.status, json.loads(got.body)) == (200, stored)
    assert curl(model, CLIENT, f"{ORDERS}/{stored['orderId']}").status == 404, "a fresh set of tables is empty"


def test_a_missing_record_is_nxdomain(model: Model) -> None:
    del resources(model, "consumer", "aws_route53_record")["zone_record-food"]
    answer = curl(model, CLIENT, ORDERS)
    assert (answer.decision, answer.status) == ("UNREACHABLE", None)
    assert said(answer, "has no record food.cross-account-microservices.com: NXDOMAIN")


def test_the_load_balancer_security_group_must_admit_the_client(model: Model) -> None:
    del resources(model, "consumer", "aws_vpc_security_group_ingress_rule")["alb-sg_in-1"]
    answer = curl(model, CLIENT, ORDERS)
    assert answer.decision == "UNREACHABLE"
    assert said(answer, "admit no TCP 443 from 192.168.0.0/16: the connection times out")


def test_a_certificate_that_does_not_name_the_host_fails_tls(model: Model) -> None:
    resources(model, "consumer", "aws_acm_certificate")["alb-certificate_certificate"]["subject_alternative_names"] = ["*.example.com"]
    answer = curl(model, CLIENT, ORDERS)
    assert answer.decision == "UNREACHABLE"
    assert said(answer, "does not name food.cross-account-microservices.com: the handshake fails")
    resources(model, "consumer", "aws_acm_certificate")["alb-certificate_certificate"]["subject_alternative_names"] = ["*.cross-account-microservices.com"]
    assert curl(model, CLIENT, ORDERS).status == 400  # a wildcard names one label: TLS passes, the handler wants orderDate


def test_the_originals_health_check_fails_open(model: Model) -> None:
    resources(model, "consumer", "aws_lb_target_group")["alb_target-group"]["health_check"] = {"path": "/login", "protocol": "HTTPS"}
    answer = curl(model, CLIENT, ORDERS)
    assert answer.status == 400
    assert any("matcher 200) fails (execute-api answers 403): every target is unhealthy and the load balancer fails open" in r for r in answer.reasons)


def test_the_endpoint_must_admit_the_load_balancer(model: Model) -> None:
    del resources(model, "consumer", "aws_vpc_security_group_ingress_rule")["endpoint-sg_in-1"]
    answer = curl(model, CLIENT, ORDERS)
    assert (answer.decision, answer.status) == ("ALLOW", 504)
    assert said(answer, "no ingress rule of sg-")


def test_the_resource_policy_admits_the_consumers_endpoint_only(model: Model) -> None:
    policy = resources(model, "food", "aws_api_gateway_rest_api_policy")["api_policy"]
    policy["policy"] = policy["policy"].replace("data.terraform_remote_state.microservices-consumer-account.outputs.vpc_endpoint_id", '"vpce-0123456789abcdef0"')
    answer = curl(model, CLIENT, ORDERS)
    assert (answer.decision, answer.status) == ("DENY", 403)
    assert json.loads(answer.body)["Message"].startswith("User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:888888888888:")
    assert json.loads(answer.body)["Message"].endswith("/v1/GET/orders")
    del resources(model, "food", "aws_api_gateway_rest_api_policy")["api_policy"]
    bare = curl(model, CLIENT, ORDERS)
    assert (bare.decision, bare.status) == ("DENY", 403)
    assert said(bare, "is private with no resource policy: every call is denied")


def test_a_regional_api_is_not_served_by_the_endpoint(model: Model) -> None:
    resources(model, "food", "aws_api_gateway_rest_api")["api"]["endpoint_configuration"] = {"types": ["REGIONAL"]}
    answer = curl(model, CLIENT, ORDERS)
    assert (answer.status, json.loads(answer.body)) == (403, {"message": "Forbidden"})


def test_an_unknown_method_is_missing_authentication_token(model: Model) -> None:
    answer = curl(model, CLIENT, ORDERS, method="DELETE")
    assert (answer.decision, answer.status, json.loads(answer.body)) == ("DENY", 403, {"message": "Missing Authentication Token"})


def test_without_a_lambda_permission_api_gateway_answers_500(model: Model) -> None:
    del resources(model, "food", "aws_lambda_permission")["api_invoke-2"]
    answer = order(model, Tables())
    assert (answer.status, json.loads(answer.body)) == (500, {"message": "Internal server error"})
    assert said(answer, "no aws_lambda_permission lets API Gateway invoke")


def test_a_role_that_may_not_write_fails_the_function_and_keeps_nothing(model: Model) -> None:
    del resources(model, "food", "aws_iam_role_policy_attachment")["post-order_access-attachment"]
    tables = Tables()
    answer = order(model, tables)
    assert (answer.status, json.loads(answer.body)) == (502, {"message": "Internal server error"})
    assert said(answer, "AccessDeniedException: arn:aws:sts::888888888888:assumed-role/microservices-food-post-order-lambda-role/")
    assert said(answer, "no identity-based policy allows dynamodb:PutItem")
    assert tables.of("888888888888", "eu-west-1") == {}


@pytest.mark.parametrize(
    "kind, name, reason",
    [
        ("aws_vpc_endpoint", "dynamodb-endpoint", "lead to no dynamodb gateway endpoint and no NAT gateway"),
        ("aws_security_group", "functions-sg_sg", "its security groups allow no egress on 443 to dynamodb"),
    ],
)
def test_a_function_without_a_way_to_dynamodb_times_out(model: Model, kind: str, name: str, reason: str) -> None:
    if kind == "aws_security_group":
        resources(model, "food", kind)[name]["egress"] = []
    else:
        del resources(model, "food", kind)[name]
    answer = order(model, Tables())
    assert answer.status == 502
    assert said(answer, "dynamodb:PutItem on cross-account-microservices-food times out after 10 s")
    assert said(answer, reason)


def test_a_body_that_is_not_json_or_another_content_type(model: Model) -> None:
    broken = curl(model, CLIENT, ORDERS, method="POST", headers=JSON, data="{not json")
    assert (broken.status, json.loads(broken.body)) == (400, {"message": "Invalid request body"})
    form = curl(model, CLIENT, ORDERS, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}, data="food=pizza")
    assert any("no model for content type application/x-www-form-urlencoded" in r for r in form.reasons)
    assert form.status == 400  # the handler refuses what is not JSON


def test_the_table_stand_in_is_the_declared_table(default_out: Path) -> None:
    (table,) = table_definitions(Topology(Model.load(default_out)), "888888888888", "eu-west-1")
    assert table == {
        "TableName": "cross-account-microservices-food",
        "KeySchema": [{"AttributeName": "orderId", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "orderId", "AttributeType": "S"}, {"AttributeName": "orderDate", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [{"IndexName": "orderDateIndex", "KeySchema": [{"AttributeName": "orderDate", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
    }


def test_condition_keys_are_case_insensitive() -> None:
    """The original writes aws:sourceVpce; IAM reads condition key names in any case."""
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*",
                             "Condition": {"StringEquals": {"aws:sourceVpce": "vpce-1"}}}]}
    allowed = evaluate_policy(policy, Request(action="execute-api:Invoke", resource="arn:aws:execute-api:r:1:a/v1/GET/", context={"aws:SourceVpce": ["vpce-1"]}))
    denied = evaluate_policy(policy, Request(action="execute-api:Invoke", resource="arn:aws:execute-api:r:1:a/v1/GET/", context={"aws:SourceVpce": ["vpce-2"]}))
    assert (allowed.effect, denied.effect) == ("ALLOW", "IMPLICIT_DENY")


def test_the_synthesized_policy_names_the_consumers_endpoint(default_out: Path) -> None:
    """What the checker evaluates is what Terraform gets: the endpoint id from remote state."""
    model = Model.load(default_out)
    stack = model.stacks["microservices-food-account"]
    policy = model.resolve(decode_json_argument(stack.document["resource"]["aws_api_gateway_rest_api_policy"]["api_policy"]["policy"]), stack)
    endpoint = model.attribute(model.stacks["microservices-consumer-account"], "aws_vpc_endpoint", "execute-api-endpoint", "id")
    assert policy["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceVpce": endpoint}}
    assert endpoint.startswith("vpce-") and len(endpoint) == 22


def test_curl_keeps_orders_in_a_state_file(default_out: Path, tmp_path: Path, capsys) -> None:
    state = tmp_path / "orders.json"
    args = ["curl", "--out", str(default_out), "--from", CLIENT, "--state", str(state)]
    assert main([*args, "-d", json.dumps(PIZZA), "-H", "Content-Type: application/json", ORDERS]) == 0  # -d: POST, as curl
    placed = json.loads(capsys.readouterr().out.splitlines()[-1])["order"]
    assert main([*args, f"{ORDERS}/{placed['orderId']}"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == placed
    assert main([*args, "-d", json.dumps(PIZZA), ORDERS]) == 0  # curl's form content type: no model, so unchecked; the handler reads JSON
    assert "no model for content type application/x-www-form-urlencoded" in capsys.readouterr().out
    state.write_text("[]")
    assert main([*args, ORDERS]) == 2
    assert "exists and lattice-cdktf did not write it (or it was changed since): it is not overwritten unless you add --force" in capsys.readouterr().err
    assert state.read_text() == "[]", "another file is never overwritten"


# The API Gateway developer guide's "resource policy examples" write every Resource in
# the short form execute-api:/<stage>/<METHOD>/<path>, which API Gateway expands to the
# policy's own API (region, account, id) when it saves the policy (issue #32: before,
# each of these was UNKNOWN).


def consumers_endpoint(model: Model) -> str:
    return model.attribute(model.stacks["microservices-consumer-account"], "aws_vpc_endpoint", "execute-api-endpoint", "id")


def resource_policy(model: Model, *statements: dict) -> None:
    resources(model, "food", "aws_api_gateway_rest_api_policy")["api_policy"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def through_the_endpoint(model: Model, resource: str, effect: str = "Allow", sid: str = "ThroughTheEndpoint") -> dict:
    return {"Sid": sid, "Effect": effect, "Principal": "*", "Action": "execute-api:Invoke", "Resource": resource,
            "Condition": {"StringEquals": {"aws:SourceVpce": consumers_endpoint(model)}}}


def the_apis_arn(model: Model) -> str:
    return model.attribute(model.stacks["microservices-food-account"], "aws_api_gateway_rest_api", "api", "execution_arn")


@pytest.mark.parametrize("resource, allowed", [
    ("execute-api:/*", {"GET", "POST"}),
    ("execute-api:/*/*/*", {"GET", "POST"}),
    ("execute-api:/v1/GET/*", {"GET"}),
    ("execute-api:/v1/POST/orders", {"POST"}),
])
def test_the_documented_short_form_names_the_policys_own_api(model: Model, resource: str, allowed: set[str]) -> None:
    resource_policy(model, through_the_endpoint(model, resource))
    arn = the_apis_arn(model)
    assert arn.startswith("arn:aws:execute-api:eu-west-1:888888888888:")
    for method in ("GET", "POST"):
        answer = order(model, Tables()) if method == "POST" else curl(model, CLIENT, ORDERS)
        if method in allowed:
            assert answer.decision == "ALLOW", answer.reasons
            assert said(answer, "allowed by statement ThroughTheEndpoint")
        else:
            assert (answer.decision, answer.status) == ("DENY", 403), answer.reasons
            assert json.loads(answer.body)["Message"] == f"User: anonymous is not authorized to perform: execute-api:Invoke on resource: {arn}/v1/{method}/orders"
        assert said(answer, f"resource policy of API cross-account-microservices-food: {resource} read as {arn}/...")
    assert order(model, Tables()).status == (200 if "POST" in allowed else 403)


def test_a_deny_in_the_short_form_still_denies(model: Model) -> None:
    """The guide's private-API example (allow execute-api:/*, deny execute-api:/* from
    any other endpoint), and a deny of one method beside a full ARN's allow."""
    other_endpoints = {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
                       "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}}
    resource_policy(model, {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}, {"Sid": "OnlyTheOther", **other_endpoints})
    denied = curl(model, CLIENT, ORDERS)
    assert (denied.decision, denied.status) == ("DENY", 403), denied.reasons
    assert said(denied, "statement OnlyTheOther denies")
    assert json.loads(denied.body)["Message"].endswith("/v1/GET/orders with an explicit deny")
    resource_policy(model, {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
                    {**other_endpoints, "Condition": {"StringNotEquals": {"aws:SourceVpce": consumers_endpoint(model)}}})
    assert curl(model, CLIENT, ORDERS).decision == "ALLOW", "the consumer's own endpoint is not denied"
    resource_policy(model, through_the_endpoint(model, f"{the_apis_arn(model)}/*/*/*"), through_the_endpoint(model, "execute-api:/v1/POST/*", "Deny", "NoOrders"))
    posted = order(model, Tables())
    assert (posted.decision, posted.status) == ("DENY", 403) and said(posted, "statement NoOrders denies")
    assert curl(model, CLIENT, ORDERS).decision == "ALLOW"


def test_the_short_form_is_expanded_where_it_is_written() -> None:
    from lattice_check.api_gateway import expand_short_forms

    arn = "arn:aws:execute-api:eu-west-1:111111111111:abcde12345"
    document = {"Statement": [
        {"Effect": "Allow", "Resource": ["execute-api:/*", f"{arn}/v1/GET/x"]},
        {"Effect": "Deny", "NotResource": "execute-api:/v1/GET/pets", "Action": "execute-api:/not-a-resource"},
    ]}
    expanded, found = expand_short_forms(document, arn)
    assert expanded["Statement"] == [
        {"Effect": "Allow", "Resource": [f"{arn}/*", f"{arn}/v1/GET/x"]},
        {"Effect": "Deny", "NotResource": f"{arn}/v1/GET/pets", "Action": "execute-api:/not-a-resource"},
    ]
    assert found == ["execute-api:/*", "execute-api:/v1/GET/pets"]
    assert document["Statement"][0]["Resource"][0] == "execute-api:/*", "the policy read is not changed"
    single, _ = expand_short_forms({"Statement": {"Effect": "Allow", "Resource": "execute-api:/*"}}, arn)
    assert single["Statement"] == [{"Effect": "Allow", "Resource": f"{arn}/*"}]
