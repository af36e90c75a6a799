"""lattice_check follows seed 003's third way in: an AWS service's own API
(vpc-lattice.<region>.amazonaws.com) called from the edge VPC, or from on premises
through it, by the interface endpoint com.amazonaws.<region>.vpc-lattice with
private DNS; and each hop fails the way AWS fails when the Terraform breaks it
(issue #32). Before, every such name answered "no Lattice service is named ...:
it does not resolve"."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lattice_check.__main__ import main
from lattice_check.aws_endpoints import policy_effect, service_of
from lattice_check.callers import Request
from lattice_check.curl import curl
from lattice_check.graph import Model

EDGE, ON_PREMISES = "ingress-edge-account/ingress-edge", "172.16.5.10"
API = "https://vpc-lattice.eu-west-1.amazonaws.com/"
ENDPOINT = "lattice-api-endpoint"


def edge(model: Model, kind: str) -> dict:
    return model.stacks["ingress-edge-account"].document["resource"].setdefault(kind, {})


def said(answer, text: str) -> bool:
    return any(text in reason for reason in answer.reasons)


def test_the_seeds_third_way_in_is_proven(model: Model, default_out: Path, capsys) -> None:
    answer = curl(model, EDGE, API)
    assert (answer.reachable, answer.decision, answer.status, answer.succeeded) == (True, "ALLOW", None, True), answer.reasons
    assert answer.resolution == ("vpc-lattice.eu-west-1.amazonaws.com -> the addresses of aws_vpc_endpoint.lattice-api-endpoint "
                                 "(its private DNS; in 10.100.0.32/28, 10.100.0.48/28)")
    hops = [
        "DNS: vpc-lattice.eu-west-1.amazonaws.com resolves to the addresses of interface endpoint aws_vpc_endpoint.lattice-api-endpoint "
        "(com.amazonaws.eu-west-1.vpc-lattice), its private DNS in ingress-edge: 2 interfaces",
        "admits TCP 443 from 10.100.0.0/24 (aws_security_group.lattice-api-sg_sg)",
        "aws_vpc_endpoint.lattice-api-endpoint has no policy: the default endpoint policy allows full access",
        "not modeled: what the vpc-lattice API answers (SigV4 and the caller's IAM policies",
    ]
    positions = [next(i for i, reason in enumerate(answer.reasons) if hop in reason) for hop in hops]
    assert positions == sorted(positions)
    assert main(["curl", "--out", str(default_out), "--from", EDGE, API]) == 0, "allowed with no status: curl succeeds"
    assert capsys.readouterr().out.rstrip().endswith("< ALLOW")


def test_on_premises_reaches_the_endpoint_at_its_addresses_and_the_dns_it_needs_is_said(model: Model) -> None:
    answer = curl(model, EDGE, API, from_cidr=ON_PREMISES)
    assert (answer.reachable, answer.decision, answer.status) == (True, "ALLOW", None), answer.reasons
    assert said(answer, "admits TCP 443 from 172.16.0.0/16")
    assert said(answer, "only the resolver of ingress-edge answers vpc-lattice.eu-west-1.amazonaws.com with the endpoint's addresses; "
                        "assumed: on-premises DNS forwards the name to it")
    edge(model, "aws_route53_resolver_endpoint")["inbound"] = {
        "direction": "INBOUND", "ip_address": [{"subnet_id": "${aws_subnet.vpc_endpoints-1.id}"}, {"subnet_id": "${aws_subnet.vpc_endpoints-2.id}"}],
        "security_group_ids": ["${aws_security_group.lattice-api-sg_sg.id}"],
    }
    resolved = curl(model, EDGE, API, from_cidr=ON_PREMISES)
    assert resolved.decision == "ALLOW"
    assert said(resolved, "through Route 53 Resolver inbound endpoint aws_route53_resolver_endpoint.inbound; assumed: on-premises DNS forwards the name to it")


@pytest.mark.parametrize("private_dns", [False, None])
def test_with_private_dns_off_the_name_is_the_public_endpoint(model: Model, private_dns) -> None:
    endpoint = edge(model, "aws_vpc_endpoint")[ENDPOINT]
    endpoint.pop("private_dns_enabled")
    if private_dns is not None:
        endpoint["private_dns_enabled"] = private_dns
    answer = curl(model, EDGE, API)
    assert (answer.reachable, answer.decision, answer.status) == (False, "UNREACHABLE", None)
    assert said(answer, "aws_vpc_endpoint.lattice-api-endpoint (com.amazonaws.eu-west-1.vpc-lattice) of ingress-edge has private DNS off "
                        "(private_dns_enabled false or unset, which the provider sends as false)")
    assert said(answer, "resolves to the public endpoint of vpc-lattice, outside ingress-edge, which has no route to the internet")
    from_outside = curl(model, EDGE, API, from_cidr=ON_PREMISES)
    assert from_outside.decision == "UNKNOWN" and not from_outside.reachable
    assert said(from_outside, "not modeled: how 172.16.5.10/32 reaches it (its own way to the internet")


def test_an_expression_for_private_dns_is_not_guessed(model: Model) -> None:
    edge(model, "aws_vpc_endpoint")[ENDPOINT]["private_dns_enabled"] = "${var.dns}"
    answer = curl(model, EDGE, API)
    assert answer.decision == "UNKNOWN"
    assert said(answer, "not modeled: whether the private DNS of aws_vpc_endpoint.lattice-api-endpoint is on")


def test_without_the_endpoint_the_call_has_no_way_out(model: Model) -> None:
    del edge(model, "aws_vpc_endpoint")[ENDPOINT]
    answer = curl(model, EDGE, API)
    assert (answer.reachable, answer.decision, answer.status) == (False, "UNREACHABLE", None)
    assert said(answer, "DNS: ingress-edge has no interface endpoint com.amazonaws.eu-west-1.vpc-lattice in this output")
    assert said(answer, "(no default route to a NAT gateway or an internet gateway): the connection times out")


def test_without_the_endpoint_a_nat_route_takes_the_call_out(model: Model) -> None:
    del edge(model, "aws_vpc_endpoint")[ENDPOINT]
    edge(model, "aws_route")["workload-nat-1"] = {
        "route_table_id": "${aws_route_table.vpc_workload-1-routes.id}", "destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-0123456789abcdef0",
    }
    from_workload = curl(model, EDGE, API, from_cidr="10.100.0.70")  # workload-1 is 10.100.0.64/28
    assert (from_workload.reachable, from_workload.decision, from_workload.status, from_workload.succeeded) == (True, "ALLOW", None, True)
    assert said(from_workload, "the call leaves ingress-edge through a NAT gateway (aws_route.workload-nat-1) and the internet, with no endpoint policy on the way")
    any_client = curl(model, EDGE, API)
    assert any_client.decision == "ALLOW"
    assert said(any_client, "have no default route: clients of their subnets time out")
    assert curl(model, EDGE, API, from_cidr="10.100.0.90").decision == "UNREACHABLE", "workload-2 has no such route"


def test_an_internet_gateway_needs_a_public_address_which_is_not_modeled(model: Model) -> None:
    answer = curl(model, "microservices-consumer-account/cross-account-microservices", API)
    assert (answer.reachable, answer.decision) == (False, "UNKNOWN")
    assert said(answer, "routes it to an internet gateway (aws_route.vpc-public-internet-1, aws_route.vpc-public-internet-2)")
    assert said(answer, "not modeled: whether the client has a public IPv4 address")


@pytest.mark.parametrize("removed, client, refused", [
    ("10.100.0.0/24", None, "admit no TCP 443 from 10.100.0.0/24: the connection times out"),
    ("172.16.0.0/16", ON_PREMISES, "admit no TCP 443 from 172.16.5.10/32: the connection times out"),
])
def test_the_endpoints_security_group_must_admit_the_client(model: Model, removed: str, client, refused: str) -> None:
    group = edge(model, "aws_security_group")["lattice-api-sg_sg"]
    group["ingress"] = [rule for rule in group["ingress"] if rule["cidr_blocks"] != [removed]]
    answer = curl(model, EDGE, API, from_cidr=client)
    assert (answer.reachable, answer.decision, answer.status) == (False, "UNREACHABLE", None)
    assert said(answer, refused)
    assert said(answer, "security groups sg-") and said(answer, "of interface endpoint aws_vpc_endpoint.lattice-api-endpoint")
    other = curl(model, EDGE, API, from_cidr=ON_PREMISES if client is None else None)
    assert other.decision == "ALLOW", "the other rule still admits the other client"


def test_plain_http_is_not_admitted_and_a_workload_address_is(model: Model) -> None:
    http = curl(model, EDGE, "http://vpc-lattice.eu-west-1.amazonaws.com/", from_cidr="10.100.0.70")
    assert http.decision == "UNREACHABLE" and said(http, "admit no TCP 80 from 10.100.0.70/32")
    assert curl(model, EDGE, API, from_cidr="10.100.0.70").decision == "ALLOW", "the VPC's range admits its workloads"


def test_private_dns_needs_the_vpcs_dns_hostnames(model: Model) -> None:
    edge(model, "aws_vpc")["vpc"].pop("enable_dns_hostnames")
    answer = curl(model, EDGE, API)
    assert answer.decision == "UNREACHABLE"
    assert said(answer, "aws_vpc.vpc has enable_dns_hostnames false or unset (enable_dns_hostnames defaults to false)")
    assert said(answer, "the private DNS of interface endpoint aws_vpc_endpoint.lattice-api-endpoint (com.amazonaws.eu-west-1.vpc-lattice) is not used")


ACCOUNT = "123456789012"


def endpoint_policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize("principal, decision", [
    (f"arn:aws:iam::{ACCOUNT}:role/app", "ALLOW"), ("arn:aws:iam::999999999999:role/app", "DENY"), (None, "DENY"),
])
def test_an_endpoint_policy_is_evaluated(model: Model, principal, decision: str) -> None:
    edge(model, "aws_vpc_endpoint")[ENDPOINT]["policy"] = endpoint_policy(
        {"Sid": "OwnAccountOnly", "Effect": "Allow", "Principal": "*", "Action": "vpc-lattice:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}},
    )
    answer = curl(model, EDGE, API, principal=principal)
    assert (answer.reachable, answer.decision, answer.status) == (True, decision, None), answer.reasons
    verdict = "allows it (statement OwnAccountOnly)" if decision == "ALLOW" else "allows no call like it: vpc-lattice refuses the call (AccessDenied)"
    assert said(answer, f"endpoint policy of aws_vpc_endpoint.lattice-api-endpoint: {verdict}")


def test_a_separate_endpoint_policy_wins_and_an_operation_it_names_is_not_guessed(model: Model) -> None:
    edge(model, "aws_vpc_endpoint_policy")["api"] = {
        "vpc_endpoint_id": "${aws_vpc_endpoint.lattice-api-endpoint.id}",
        "policy": endpoint_policy({"Effect": "Allow", "Principal": "*", "Action": "vpc-lattice:ListServices", "Resource": "*"}),
    }
    answer = curl(model, EDGE, API)
    assert (answer.reachable, answer.decision, answer.status) == (True, "UNKNOWN", None)
    assert said(answer, "endpoint policy of aws_vpc_endpoint_policy.api: depends on what the model does not cover")
    assert said(answer, "#0: an Action other than * or vpc-lattice:* (which operation the call is, is not modeled)")


def test_the_endpoint_policy_rules() -> None:
    request = Request("vpc-lattice:*", "*", None, {"aws:SourceVpce": ["vpce-1"], "aws:PrincipalType": ["Anonymous"]})
    allow_all = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    assert policy_effect({"Statement": [allow_all]}, "vpc-lattice", request).effect == "ALLOW"
    assert policy_effect({"Statement": allow_all}, "vpc-lattice", request).effect == "ALLOW", "one statement, not a list"
    deny_other_endpoints = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-2"}}}
    assert policy_effect({"Statement": [allow_all, deny_other_endpoints]}, "vpc-lattice", request).effect == "EXPLICIT_DENY"
    some_deny = {"Effect": "Deny", "Principal": "*", "Action": "vpc-lattice:Delete*", "Resource": "*"}
    assert policy_effect({"Statement": [allow_all, some_deny]}, "vpc-lattice", request).effect == "UNKNOWN", "the call could be a Delete"
    some_resource = {**allow_all, "Resource": "arn:aws:vpc-lattice:eu-west-1:111111111111:service/*"}
    assert policy_effect({"Statement": [some_resource]}, "vpc-lattice", request).effect == "UNKNOWN"
    assert policy_effect({"Statement": []}, "vpc-lattice", request).effect == "IMPLICIT_DENY"


@pytest.mark.parametrize("host, service", [
    ("vpc-lattice.eu-west-1.amazonaws.com", ("vpc-lattice", "eu-west-1")),
    ("SSM.us-gov-west-1.amazonaws.com", ("ssm", "us-gov-west-1")),
    ("abcde12345.execute-api.eu-west-1.amazonaws.com", None),  # a private API's own name: not this hop
    ("internal-x-1.eu-west-1.elb.amazonaws.com", None),
    ("lambda-service", None),
])
def test_which_names_are_an_aws_services_own(host: str, service) -> None:
    assert service_of(host) == service
