"""lattice_check's graph: cross-stack channels (remote state, Secrets Manager), RAM
shares, the expression subset it evaluates, and what it refuses to guess."""
from __future__ import annotations

import copy
import json

import pytest

from lattice_check.curl import BadInput, curl
from lattice_check.graph import Model, Unresolved, _traverse
from lattice_check.topology import Topology
from tests.helpers import ACCOUNTS, make_config, synth

SECRETS = {
    "distributed": {"discovery": "secrets_manager"},
    "centralized": {"enabled": True, "discovery": "secrets_manager"},
}


@pytest.fixture(scope="module")
def secrets_model(tmp_path_factory) -> Model:
    """Distributed and centralized stacks that pass ids through Secrets Manager only."""
    config = make_config(accounts={**ACCOUNTS, "network": {"id": "333333333333"}}, patterns=SECRETS)
    return Model.load(synth(config, tmp_path_factory.mktemp("secrets") / "cdktf.out"))


@pytest.mark.parametrize(
    "source, url, secrets",
    [
        ("distributed-consumer-account/vpc1", "http://lambda-service/", ["vpc_lattice_services of distributed-service-account"]),
        ("centralized-consumer-account/vpc2", "http://central-lambda-service/", ["central_service_network of centralized-service-network-account", "vpclattice_services of centralized-service-account"]),
    ],
)
def test_ids_passed_through_secrets_manager_are_followed(secrets_model, source, url, secrets) -> None:
    for stack in secrets_model.stacks.values():
        assert "terraform_remote_state" not in stack.document.get("data", {})
    answer = curl(secrets_model, source, url)
    assert (answer.decision, answer.status, json.loads(answer.body)) == ("ALLOW", 200, "Hello from Lambda!")
    followed = [r for r in answer.reasons if r.startswith("ids from another stack")]
    assert [r.split(" reads the Secrets Manager secret ")[1] for r in followed] == secrets


def test_the_secret_is_matched_by_account_region_and_name(secrets_model) -> None:
    model = copy.deepcopy(secrets_model)
    consumer = model.stacks["distributed-consumer-account"]
    association = next(iter(consumer.resources("aws_vpclattice_service_network_service_association").values()))
    resolved = model.resolve(association["service_identifier"], consumer)
    assert resolved == model.attribute(model.stacks["distributed-service-account"], "aws_vpclattice_service", "lambdaservice_service", "arn")
    model.stacks["distributed-service-account"].providers["aws"] = ("999999999999", "eu-west-1")
    with pytest.raises(Unresolved, match=r"no stack in account 111111111111 \(eu-west-1\) writes the secret 'vpc_lattice_services'"):
        model.resolve(association["service_identifier"], consumer)


def test_remote_state_is_matched_by_backend(model) -> None:
    consumer = model.stacks["distributed-consumer-account"]
    (name, source), *_ = consumer.data("terraform_remote_state").items()
    source["config"]["path"] = "../../../terraform-state/elsewhere.tfstate"
    association = next(iter(consumer.resources("aws_vpclattice_service_network_service_association").values()))
    with pytest.raises(Unresolved, match=rf"remote state {name} \(local, \.\./\.\./\.\./terraform-state/elsewhere\.tfstate\) matches no stack given"):
        model.resolve(association["service_identifier"], consumer)


def test_every_share_of_the_default_app(model) -> None:
    shares = {(s.stack.name, tuple(s.principals), tuple(stack for stack, _ in s.accepted_in)) for s in Topology(model).shares}
    assert shares == {
        ("distributed-service-account", ("222222222222",), ("distributed-consumer-account",)),
        ("centralized-service-account", ("333333333333",), ("centralized-service-network-account",)),
        ("centralized-service-network-account", ("222222222222",), ("centralized-consumer-account",)),
        ("shared-common-account", ("444444444444",), ("shared-blue-account",)),
        ("shared-common-account", ("555555555555",), ("shared-green-account",)),
        ("microservices-consumer-account", ("777777777777", "888888888888"), ("microservices-beverage-account", "microservices-food-account")),
        ("ingress-service-account", ("999999999999",), ("ingress-edge-account",)),
    }
    for share in Topology(model).shares:
        assert len(share.resources) == 1
        if share.stack.name != "microservices-consumer-account":  # that one shares its certificate authority
            assert share.resources[0].startswith("arn:aws:vpc-lattice:eu-west-1:")


def test_an_unaccepted_share_breaks_the_association(model) -> None:
    model.stacks["distributed-consumer-account"].document["resource"].pop("aws_ram_resource_share_accepter")
    answer = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/")
    assert (answer.decision, answer.resolution) == ("UNREACHABLE", None)
    assert "fails at apply: RAM share 'Amazon VPC Lattice service' of distributed-service-account gives the service to 222222222222, but no stack of that account accepts the invitation" in answer.reasons[-2]


def test_a_service_shared_with_nobody_breaks_the_association(model) -> None:
    model.stacks["distributed-service-account"].document["resource"].pop("aws_ram_principal_association")
    answer = curl(model, "distributed-consumer-account/vpc2", "http://lambda-service/")
    assert answer.decision == "UNREACHABLE"
    assert any("no RAM share gives the service arn:aws:vpc-lattice:eu-west-1:111111111111:service/svc-" in r and r.endswith("does not resolve") for r in answer.reasons)


def test_a_share_inside_an_organization_needs_no_acceptance(model) -> None:
    service = model.stacks["distributed-service-account"]
    next(iter(service.resources("aws_ram_resource_share").values()))["allow_external_principals"] = False
    model.stacks["distributed-consumer-account"].document["resource"].pop("aws_ram_resource_share_accepter")
    answer = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/")
    assert answer.status == 200
    assert any("inside the organization (allow_external_principals = false: RAM admits only the owner's organization, with no invitation; give --org to check membership)" in r for r in answer.reasons)


def test_a_lattice_name_shared_by_two_services_is_refused_unless_the_network_decides(model) -> None:
    central = model.stacks["centralized-service-account"]
    central.resources("aws_vpclattice_service")["lambdaservice_service"]["name"] = "lambda-service"
    assert curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/").status == 200
    assert curl(model, "centralized-consumer-account/vpc1", "http://lambda-service/").status == 200
    with pytest.raises(BadInput, match="services of that name are in centralized-service-account, distributed-service-account: use the service's DNS name"):
        curl(model, "shared-common-account/shared-services-main", "http://lambda-service/")


def test_expressions_outside_the_subset_are_reported_not_guessed(model) -> None:
    stack = model.stacks["distributed-consumer-account"]
    with pytest.raises(Unresolved, match=r"function element\(\) in \$\{element\(data.aws_availability_zones.x.names, 0\)\} is not modeled"):
        model.resolve("${element(data.aws_availability_zones.x.names, 0)}", stack)
    with pytest.raises(Unresolved, match="no resource aws_vpc.nope"):
        model.resolve("${aws_vpc.nope.id}", stack)
    with pytest.raises(Unresolved, match="expression .*var.region.* is not modeled"):
        model.resolve("${var.region}", stack)
    assert model.resolve('${jsondecode("{\\"a\\": [1, 2]}").a[1]}', stack) == 2


@pytest.mark.parametrize(
    "steps, value",
    [("", {"a": {"b-c": ["x", "y"]}}), (".a", {"b-c": ["x", "y"]}), ('.a["b-c"][1]', "y"), ('["a"].b-c[0]', "x")],
)
def test_traversal_steps(steps, value) -> None:
    assert _traverse({"a": {"b-c": ["x", "y"]}}, steps, "e") == value


def test_traversal_names_the_missing_key() -> None:
    with pytest.raises(Unresolved, match=r"'services_id' is not in \{\"ram_share\": \"arn\"\}"):
        _traverse({"ram_share": "arn"}, ".services_id.lambdaservice", "e")


def test_resources_of_an_aliased_provider_live_in_its_account(model) -> None:
    """A stack with a second provider: resources that name it get its account and
    region (ARNs, RAM checks, the client's account)."""
    consumer = model.stacks["distributed-consumer-account"]
    consumer.providers["aws.other"] = ("777777777777", "us-west-2")
    vpc = next(b for b in consumer.resources("aws_vpc").values() if b["tags"]["Name"] == "vpc2")
    network = consumer.resources("aws_vpclattice_service_network")["vpc2-service-network_network"]
    network["provider"] = vpc["provider"] = "aws.other"
    arn = model.attribute(consumer, "aws_vpclattice_service_network", "vpc2-service-network_network", "arn")
    assert arn.startswith("arn:aws:vpc-lattice:us-west-2:777777777777:servicenetwork/sn-")
    answer = curl(model, "distributed-consumer-account/vpc2", "http://lambda-service/")
    # the service association is still created with the default provider (222222222222),
    # but the network it names now belongs to 777777777777 and nobody shares it
    assert answer.decision == "UNREACHABLE"
    assert any("no RAM share gives the service network arn:aws:vpc-lattice:us-west-2:777777777777" in r for r in answer.reasons)


def test_a_stack_that_pins_no_account_is_reported_not_guessed(model) -> None:
    from lattice_check.graph import UNKNOWN_ACCOUNT

    model.stacks["distributed-consumer-account"].providers["aws"] = (UNKNOWN_ACCOUNT, "eu-west-1")
    answer = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/")
    assert any(r.startswith("not modeled: whether the VPC association vpc1_service-network-association_association in distributed-consumer-account may use the service network") for r in answer.reasons)
    # the policies test the VPC's owner account, which is now unknown: no guess either way
    assert (answer.decision, answer.status) == ("UNKNOWN", None)
    assert "not modeled: InvokeFromConsumerAccountVpcs: condition StringEquals vpc-lattice-svcs:SourceVpcOwnerAccount: the model does not know this key's value" in answer.reasons


def test_a_service_network_endpoint_connects_a_vpc_too(model) -> None:
    consumer = model.stacks["distributed-consumer-account"]
    associations = consumer.resources("aws_vpclattice_service_network_vpc_association")
    association = associations.pop("vpc1_service-network-association_association")
    consumer.document["resource"].setdefault("aws_vpc_endpoint", {})["vpc1_lattice"] = {
        "vpc_endpoint_type": "ServiceNetwork",
        "vpc_id": association["vpc_identifier"],
        "service_network_arn": "${aws_vpclattice_service_network.vpc1-service-network_network.arn}",
        "security_group_ids": association["security_group_ids"],
        "private_dns_enabled": True,  # else the service's name does not resolve to it
    }
    answer = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/")
    assert answer.status == 200
    assert "resolves to the addresses of service-network endpoint vpc1_lattice (its private DNS), through service network vpc1-service-network" in answer.reasons[0]
    assert answer.resolution.endswith("-> the addresses of service-network endpoint vpc1_lattice (through vpc1-service-network)")


@pytest.mark.parametrize(
    "match, method, path, headers, expected",
    [
        ({"method": "GET"}, "GET", "/", {}, True),
        ({"method": "GET"}, "POST", "/", {}, False),
        ({"path_match": {"match": {"prefix": "/api"}}}, "GET", "/api/v1", {}, True),
        ({"path_match": {"match": {"prefix": "/api"}}}, "GET", "/API/v1", {}, False),
        ({"path_match": {"match": {"prefix": "/api"}, "case_sensitive": False}}, "GET", "/API/v1", {}, True),
        ({"path_match": [{"match": [{"exact": "/healthz"}]}]}, "GET", "/healthz/", {}, False),  # list-form blocks
        ({"header_matches": [{"name": "X-Team", "match": {"exact": "blue"}}]}, "GET", "/", {"x-team": "Blue"}, True),
        ({"header_matches": [{"name": "X-Team", "match": {"exact": "blue"}, "case_sensitive": True}]}, "GET", "/", {"x-team": "Blue"}, False),
        ({"header_matches": [{"name": "X-Team", "match": {"contains": "lu"}}]}, "GET", "/", {"x-team": "blue"}, True),
        ({"header_matches": [{"name": "X-Team", "match": {"prefix": "bl"}}]}, "GET", "/", {}, False),
        ({"method": "GET", "header_matches": [{"name": "a", "match": {"exact": "1"}}, {"name": "b", "match": {"exact": "2"}}]}, "GET", "/", {"a": "1"}, False),
    ],
)
def test_rule_matching(match, method, path, headers, expected) -> None:
    from lattice_check.routing import HttpCall, rule_matches

    call = HttpCall(method=method, host="h", port=80, path=path, query={}, headers=headers, principal=None, tags={})
    assert rule_matches(match, call) is expected


SG = "vpc1_lattice-security-group_sg"
SG_ID = "${aws_security_group.vpc1_lattice-security-group_sg.id}"


@pytest.mark.parametrize(
    "kind, rule, status, reason",
    [
        ("aws_vpc_security_group_ingress_rule", {"security_group_id": SG_ID, "ip_protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_ipv4": "10.0.0.0/16"},
         200, "admits TCP 80 from 10.0.0.0/16 (aws_vpc_security_group_ingress_rule.extra)"),
        ("aws_vpc_security_group_ingress_rule", {"security_group_id": SG_ID, "ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"},
         200, "admits TCP 80 from 0.0.0.0/0"),
        ("aws_security_group_rule", {"type": "ingress", "security_group_id": SG_ID, "protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["10.0.0.0/25"]},
         200, "admit TCP 80 only from 10.0.0.0/25, part of 10.0.0.0/24: clients elsewhere in the VPC time out"),
        ("aws_security_group_rule", {"type": "ingress", "security_group_id": SG_ID, "protocol": "tcp", "from_port": 80, "to_port": 80, "source_security_group_id": "sg-0123"},
         200, "not modeled: TCP 80 is admitted from members of security group sg-0123"),
        ("aws_security_group_rule", {"type": "egress", "security_group_id": SG_ID, "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]},
         None, "admit no TCP 80 from 10.0.0.0/24: the connection times out"),
        ("aws_vpc_security_group_ingress_rule", {"security_group_id": SG_ID, "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"},
         None, "admit no TCP 80 from 10.0.0.0/24: the connection times out"),
    ],
)
def test_security_group_rules_written_any_way(model, kind, rule, status, reason) -> None:
    consumer = model.stacks["distributed-consumer-account"]
    consumer.resources("aws_security_group")[SG]["ingress"] = []
    consumer.document["resource"].setdefault(kind, {})["extra"] = rule
    answer = curl(model, "distributed-consumer-account/vpc1", "http://lambda-service/")
    assert answer.status == status
    assert any(reason in r for r in answer.reasons), answer.reasons


def test_a_resource_configuration_is_reported_as_not_modeled(model) -> None:
    service = model.stacks["distributed-service-account"]
    service.document["resource"]["aws_vpclattice_resource_configuration"] = {
        "db": {"name": "orders-db", "port_ranges": ["5432"], "resource_configuration_definition": [{"dns_resource": [{"domain_name": "db.internal.example", "ip_address_type": "IPV4"}]}]}
    }
    for host in ("orders-db", "db.internal.example"):
        answer = curl(model, "distributed-consumer-account/vpc1", f"http://{host}/")
        assert (answer.decision, answer.status, answer.reachable) == ("UNKNOWN", None, False)
        assert answer.reasons[0] == (f"not modeled: {host} is the resource configuration orders-db of distributed-service-account "
                                     "(TCP to a VPC resource); reachability of resource configurations is not modeled")
    assert curl(model, "distributed-consumer-account/vpc1", "http://nothing-here/").reasons == ["DNS: no Lattice service is named nothing-here: it does not resolve"]
