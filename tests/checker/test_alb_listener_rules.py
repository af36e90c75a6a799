"""An Application Load Balancer's listener rules decide what a request gets, on both
paths that cross one: VPC Lattice's ALB target group (the shared pattern) and a
private zone's alias to a balancer (seed 002's front door). Each test adds rules to
the synthesized output in memory; before lattice_check read them, the first path
followed the default action whatever the rules said, and the second answered UNKNOWN."""
from __future__ import annotations

from typing import Any

import pytest

from lattice_check.alb import _wildcard
from lattice_check.curl import curl
from lattice_check.graph import Model

SHARED_CALLER, SHARED_URL = "shared-blue-account/blue-sandbox", "http://shared-service/"
LISTENER_ARN = "${aws_lb_listener.directory-alb_listener.arn}"
FRONT_CALLER, ORDERS = "microservices-consumer-account/cross-account-microservices", "https://food.cross-account-microservices.com/v1/orders"


def fixed(status: str, body: str = "") -> list[dict[str, Any]]:
    return [{"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": status, "message_body": body}}]


def add_rules(model: Model, rules: dict[str, dict[str, Any]], *, stack: str = "shared-common-account", listener: str = LISTENER_ARN) -> None:
    resources = model.stacks[stack].document["resource"]
    resources["aws_lb_listener_rule"] = {name: {"listener_arn": listener, **rule} for name, rule in rules.items()}


def shared(model: Model, query: str = "q=blue", path: str = "/", **options: Any):
    return curl(model, SHARED_CALLER, f"http://shared-service{path}?{query}", **options)


def said(answer, text: str) -> bool:
    return any(text in reason for reason in answer.reasons)


def test_a_matching_rule_answers_before_the_default_action(model: Model) -> None:
    add_rules(model, {"closed": {"priority": 10, "condition": [{"path_pattern": {"values": ["/admin*"]}}], "action": fixed("403", "closed")}})
    refused = shared(model, path="/admin/users")
    assert (refused.decision, refused.status, refused.body) == ("ALLOW", 403, "closed")
    assert said(refused, "internal ALB (rule aws_lb_listener_rule.closed (priority 10: path pattern /admin*)): fixed-response 403")
    assert shared(model).status == 200, "a request the rule does not match still gets the function"


def test_rules_are_tried_by_priority_not_as_declared(model: Model) -> None:
    add_rules(model, {
        "late": {"priority": 20, "condition": [{"path_pattern": {"values": ["/*"]}}], "action": fixed("404")},
        "early": {"priority": 5, "condition": [{"path_pattern": {"values": ["/*"]}}], "action": fixed("418")},
    })
    assert shared(model).status == 418


@pytest.mark.parametrize(
    "condition, matched",
    [
        ({"host_header": {"values": ["SHARED-*"]}}, True),  # host names: case-insensitive, with wildcards
        ({"host_header": {"values": ["shared-servic?"]}}, True),
        ({"host_header": {"values": ["shared"]}}, False),
        ({"path_pattern": {"values": ["/"]}}, True),
        ({"path_pattern": {"values": ["/Admin"]}}, False),  # paths: case-sensitive, the query not included
        ({"http_request_method": {"values": ["GET"]}}, True),
        ({"http_request_method": {"values": ["get"]}}, False),  # an exact method name
        ({"http_header": {"http_header_name": "X-Team", "values": ["BLUE*"]}}, True),
        ({"http_header": {"http_header_name": "x-other", "values": ["*"]}}, False),  # a header not sent
        ({"query_string": [{"key": "q", "value": "BL?E"}]}, True),
        ({"query_string": [{"value": "blue"}]}, True),  # no key: any value
        ({"query_string": [{"key": "x", "value": "*"}]}, False),
        ({"source_ip": {"values": ["169.254.0.0/16"]}}, True),  # the balancer sees VPC Lattice's addresses
        ({"source_ip": {"values": ["10.0.0.0/8"]}}, False),
    ],
)
def test_each_condition_type_matches_as_the_elb_guide_says(model: Model, condition: dict, matched: bool) -> None:
    add_rules(model, {"probe": {"priority": 1, "condition": [condition], "action": fixed("299")}})
    answer = shared(model, headers={"X-Team": "blue-team"})
    assert answer.status == (299 if matched else 200), answer.reasons


def test_all_conditions_of_a_rule_must_match(model: Model) -> None:
    add_rules(model, {"both": {"priority": 1, "action": fixed("299"), "condition": [
        {"path_pattern": {"values": ["/"]}}, {"http_header": {"http_header_name": "x-team", "values": ["red", "green"]}},
    ]}})
    assert shared(model, headers={"X-Team": "blue"}).status == 200
    assert shared(model, headers={"X-Team": "green"}).status == 299


def test_a_redirect_names_where_it_sends_the_client(model: Model) -> None:
    add_rules(model, {"moved": {"priority": 1, "condition": [{"path_pattern": {"values": ["/old*"]}}], "action": [
        {"type": "redirect", "redirect": {"path": "/new/#{path}", "status_code": "HTTP_301"}},
    ]}})
    answer = shared(model, path="/old")
    assert answer.status == 301
    assert said(answer, "redirect 301, Location http://shared-service:80/new/old?q=blue")


def test_a_rule_forwarding_elsewhere_is_followed_not_the_default(model: Model) -> None:
    add_rules(model, {"other": {"priority": 1, "condition": [{"path_pattern": {"values": ["/v2*"]}}],
                                "action": [{"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:eu-west-1:666666666666:targetgroup/v2/abc"}]}})
    answer = shared(model, path="/v2")
    assert answer.status is None and said(answer, "its target group arn:aws:elasticloadbalancing:eu-west-1:666666666666:targetgroup/v2/abc has no target")


@pytest.mark.parametrize("second_weight, status", [(0, 200), (10, None)])
def test_a_weighted_forward_is_followed_only_when_one_group_takes_everything(model: Model, second_weight: int, status) -> None:
    resources = model.stacks["shared-common-account"].document["resource"]
    listener = resources["aws_lb_listener"]["directory-alb_listener"]
    listener["default_action"] = [{"type": "forward", "forward": {"target_group": [
        {"arn": "${aws_lb_target_group.directory-alb_target-group.arn}", "weight": 90},
        {"arn": "arn:aws:elasticloadbalancing:eu-west-1:666666666666:targetgroup/canary/abc", "weight": second_weight},
    ]}}]
    answer = shared(model)
    assert answer.status == status
    if status is None:
        assert said(answer, "spreads requests over 2 target groups by weight")


def test_two_matching_rules_without_priority_are_unknown(model: Model) -> None:
    add_rules(model, {
        "a": {"condition": [{"path_pattern": {"values": ["/*"]}}], "action": fixed("401")},
        "b": {"condition": [{"http_request_method": {"values": ["GET"]}}], "action": fixed("402")},
    })
    answer = shared(model)
    assert answer.status is None and said(answer, "both match and have no priority")
    add_rules(model, {"a": {"condition": [{"path_pattern": {"values": ["/*"]}}], "action": fixed("401")}})
    assert shared(model).status == 401, "one rule without a priority still answers"


def test_an_authenticating_rule_is_not_modeled(model: Model) -> None:
    add_rules(model, {"login": {"priority": 1, "condition": [{"path_pattern": {"values": ["/*"]}}], "action": [
        {"type": "authenticate-oidc", "order": 1, "authenticate_oidc": {"issuer": "https://idp"}},
        {"type": "forward", "order": 2, "target_group_arn": "${aws_lb_target_group.directory-alb_target-group.arn}"},
    ]}})
    answer = shared(model)
    assert answer.status is None and said(answer, "authenticates the user first (authenticate-oidc)")


def test_the_front_door_balancer_reads_its_rules_too(model: Model) -> None:
    listener = "${aws_lb_listener.alb_listener.arn}"
    add_rules(model, {"maintenance": {"priority": 1, "condition": [{"path_pattern": {"values": ["/v1/orders*"]}}], "action": fixed("503", "down")}},
              stack="microservices-consumer-account", listener=listener)
    answer = curl(model, FRONT_CALLER, ORDERS)
    assert (answer.decision, answer.status, answer.body) == ("ALLOW", 503, "down")
    assert said(answer, "listener aws_lb_listener.alb_listener (HTTPS 443): rule aws_lb_listener_rule.maintenance (priority 1: path pattern /v1/orders*)")
    # The client is any host of its VPC (192.168.0.0/16): a source condition on part of it cannot be decided.
    add_rules(model, {"some": {"priority": 1, "condition": [{"source_ip": {"values": ["192.168.1.0/24"]}}], "action": fixed("403")}},
              stack="microservices-consumer-account", listener=listener)
    unknown = curl(model, FRONT_CALLER, ORDERS)
    assert unknown.decision == "UNKNOWN" and said(unknown, "not modeled: whether aws_lb_listener_rule.some matches")


def test_wildcards_are_only_star_and_question_mark() -> None:
    assert _wildcard("/a[b]*", "/a[b]/c", case_sensitive=True)
    assert not _wildcard("/a.c", "/abc", case_sensitive=True)
    assert _wildcard("*.Example.COM", "api.example.com", case_sensitive=False)
    assert not _wildcard("?", "", case_sensitive=True)


@pytest.mark.parametrize("canary_weight, status", [(0, 200), (10, None)])
def test_a_lattice_forward_over_weighted_groups_is_followed_only_when_one_takes_everything(model: Model, canary_weight: int, status) -> None:
    """VPC Lattice's own weighted forward (a canary): before, the heaviest group was taken to answer every request."""
    resources = model.stacks["shared-common-account"].document["resource"]
    (listener,) = resources["aws_vpclattice_listener"].values()
    (forward,) = listener["default_action"]["forward"]
    forward["target_groups"] = [
        {**forward["target_groups"][0], "weight": 90},
        {"target_group_identifier": "tg-0123456789abcdef0", "weight": canary_weight},
    ]
    answer = shared(model)
    assert answer.status == status
    if status is None:
        assert said(answer, "spreads requests over 2 target groups by weight (")
