"""Reach Lattice from outside its VPCs (seed 003: ../shared/seeds/003_90fa78269a1f8f6b.txt):
the service account's network shared with the edge account, the service-network
endpoint behind an internal NLB, the endpoint's security group as the one filter,
the private zone, the Lattice API over PrivateLink, and the VPN when asked for."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app_config.loader import ConfigError
from lattice_check.tfjson import decode_json_argument
from tests.helpers import assert_variants_validate_and_apply, cross_stack_problems, data_sources, load_stacks, make_config, resources, synth

SERVICE, EDGE = "ingress-service-account", "ingress-edge-account"
ACCOUNTS = {"service": {"id": "111111111111"}, "consumer": {"id": "222222222222"}, "edge": {"id": "999999999999"}}
CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
VPN = {"customer_gateway_ip": "203.0.113.10", "bgp_asn": 65000}


def ingress_config(accounts: dict | None = None, **settings: object):
    return make_config(accounts=accounts or ACCOUNTS, patterns={"distributed": {"enabled": False}, "ingress": {"enabled": True, **settings}})


def only(stack: dict, kind: str) -> dict:
    (body,) = resources(stack, kind).values()
    return body


@pytest.fixture(scope="module")
def stacks(default_stacks) -> dict:
    return {name: default_stacks[name] for name in (SERVICE, EDGE)}


@pytest.fixture(scope="module")
def with_vpn(tmp_path_factory) -> dict:
    return load_stacks(synth(ingress_config(vpn=VPN, certificate_arn=CERTIFICATE), tmp_path_factory.mktemp("vpn") / "cdktf.out"))


def test_deploy_order_is_one_line_service_first(default_manifest, default_stacks) -> None:
    assert default_manifest["stacks"][SERVICE]["dependencies"] == []
    assert default_manifest["stacks"][EDGE]["dependencies"] == [SERVICE]
    assert cross_stack_problems(default_stacks, default_manifest) == []


def test_the_service_and_its_network_admit_the_edge_account_only(stacks) -> None:
    service = stacks[SERVICE]
    lattice = only(service, "aws_vpclattice_service")
    assert (lattice["name"], lattice["custom_domain_name"], lattice["auth_type"]) == ("ingress-service", "hello.lattice-ingress.internal", "AWS_IAM")
    assert [listener["protocol"] for listener in resources(service, "aws_vpclattice_listener").values()] == ["HTTP"]
    network = only(service, "aws_vpclattice_service_network")
    assert (network["name"], network["auth_type"]) == ("ingress-service-network", "AWS_IAM")
    for policy in resources(service, "aws_vpclattice_auth_policy").values():
        (statement,) = decode_json_argument(policy["policy"])["Statement"]
        assert statement["Condition"] == {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "999999999999"}}
    assert only(service, "aws_ram_principal_association")["principal"] == "999999999999"
    assert only(service, "aws_ram_resource_association")["resource_arn"] == "${aws_vpclattice_service_network.service-network_network.arn}"


def test_the_edge_endpoint_and_its_security_group(stacks) -> None:
    edge = stacks[EDGE]
    endpoints = {e["vpc_endpoint_type"] + ":" + e.get("service_name", ""): e for e in resources(edge, "aws_vpc_endpoint").values()}
    network_endpoint = endpoints["ServiceNetwork:"]
    assert network_endpoint["service_network_arn"] == "${data.terraform_remote_state.ingress-service-account.outputs.service_network_arn}"
    assert network_endpoint["subnet_ids"] == ["${aws_subnet.vpc_endpoints-1.id}", "${aws_subnet.vpc_endpoints-2.id}"]
    assert network_endpoint["depends_on"] == ["aws_ram_resource_share_accepter.ram-share-accepter_accepter"]
    group = resources(edge, "aws_security_group")["endpoint-sg_sg"]
    assert sorted((r["from_port"], r["cidr_blocks"][0]) for r in group["ingress"]) == [(80, "10.100.0.0/28"), (80, "10.100.0.16/28"), (80, "172.16.0.0/16")]
    assert group["egress"] == []
    api = endpoints["Interface:com.amazonaws.eu-west-1.vpc-lattice"]
    assert api["private_dns_enabled"] is True
    api_group = resources(edge, "aws_security_group")["lattice-api-sg_sg"]
    assert sorted(r["cidr_blocks"][0] for r in api_group["ingress"]) == ["10.100.0.0/24", "172.16.0.0/16"]


def test_the_load_balancer_passes_tcp_to_the_endpoints_addresses(stacks) -> None:
    edge = stacks[EDGE]
    nlb = only(edge, "aws_lb")
    assert (nlb["name"], nlb["internal"], nlb["load_balancer_type"], "security_groups" in nlb) == ("ingress-service-edge", True, "network", False)
    assert nlb["subnets"] == ["${aws_subnet.vpc_ingress-1.id}", "${aws_subnet.vpc_ingress-2.id}"]
    group = only(edge, "aws_lb_target_group")
    assert (group["port"], group["protocol"], group["target_type"], group["preserve_client_ip"]) == (80, "TCP", "ip", "true")
    listener = only(edge, "aws_lb_listener")
    assert (listener["port"], listener["protocol"]) == (80, "TCP")
    interfaces = data_sources(edge, "aws_network_interface")
    assert sorted(i["id"] for i in interfaces.values()) == [
        f"${{element(sort(tolist(aws_vpc_endpoint.service-network-endpoint_endpoint.network_interface_ids)), {n})}}" for n in (0, 1)
    ]
    targets = resources(edge, "aws_lb_target_group_attachment").values()
    assert sorted(t["target_id"] for t in targets) == sorted(f"${{data.aws_network_interface.{name}.private_ip}}" for name in interfaces)


def test_the_private_zone_points_the_custom_domain_at_the_load_balancer(stacks) -> None:
    edge = stacks[EDGE]
    zone = only(edge, "aws_route53_zone")
    assert (zone["name"], zone["vpc"][0]["vpc_id"]) == ("lattice-ingress.internal", "${aws_vpc.vpc.id}")
    record = only(edge, "aws_route53_record")
    assert (record["name"], record["type"], record["alias"]["name"]) == ("hello", "A", "${aws_lb.nlb.dns_name}")


def test_nothing_billed_by_the_hour_beyond_what_is_asked(stacks) -> None:
    """No VPN unless configured; the test client's SSM endpoints are the other patterns' too."""
    edge = stacks[EDGE]
    for kind in ("aws_vpn_gateway", "aws_customer_gateway", "aws_vpn_connection", "aws_nat_gateway", "aws_internet_gateway"):
        assert resources(edge, kind) == {}


def test_a_vpn_and_a_certificate_when_configured(with_vpn) -> None:
    edge, service = with_vpn[EDGE], with_vpn[SERVICE]
    connection = only(edge, "aws_vpn_connection")
    assert (connection["static_routes_only"], connection["type"]) == (True, "ipsec.1")
    assert only(edge, "aws_customer_gateway")["ip_address"] == "203.0.113.10"
    assert [r["destination_cidr_block"] for r in resources(edge, "aws_vpn_connection_route").values()] == ["172.16.0.0/16"]
    assert len(resources(edge, "aws_vpn_gateway_route_propagation")) == 6  # every route table: replies find the way back
    assert sorted(g["port"] for g in resources(edge, "aws_lb_target_group").values()) == [80, 443]
    assert sorted(l["protocol"] for l in resources(service, "aws_vpclattice_listener").values()) == ["HTTP", "HTTPS"]
    assert only(service, "aws_vpclattice_service")["certificate_arn"] == CERTIFICATE
    ports = sorted({r["from_port"] for r in resources(edge, "aws_security_group")["endpoint-sg_sg"]["ingress"]})
    assert ports == [80, 443]


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"onprem_cidrs": ["10.100.0.0/16"]}, "patterns.ingress.onprem_cidrs: 10.100.0.0/16 overlaps edge_vpc_cidr 10.100.0.0/24"),
        ({"onprem_cidrs": ["172.16.0.0/16", "172.16.5.0/24"]}, "172.16.0.0/16 and 172.16.5.0/24 overlap"),
        ({"onprem_cidrs": ["172.16.0.1/16"]}, "must be an IPv4 network in CIDR notation with no host bits set"),
        ({"vpn": {"bgp_asn": 65000}}, "patterns.ingress.vpn.customer_gateway_ip: required but missing"),
        ({"vpn": {"customer_gateway_ip": "10.0.0.1"}}, "must be the device's public address"),
        ({"vpn": {"customer_gateway_ip": "203.0.113.10", "bgp_asn": 0}}, "a BGP ASN is 1-4294967294"),
        ({"vpn": VPN, "onprem_cidrs": []}, "patterns.ingress.vpn: give onprem_cidrs too"),
        ({"vpn": {"customer_gateway_ip": "198.51.100.7"}, "onprem_cidrs": ["198.51.100.0/24"]}, "it is inside onprem_cidrs 198.51.100.0/24"),
        ({"custom_domain_name": "hello.internal"}, "3 or more labels"),
        ({"certificate_arn": CERTIFICATE.replace("111111111111", "999999999999")}, "is in account 999999999999, region eu-west-1; it must be in account 111111111111"),
        ({"edge_vpc_cidr": "10.100.0.0/26"}, "patterns.ingress.edge_vpc_cidr"),
        ({"service_network_name": "servicenetwork-x"}, "patterns.ingress.service_network_name"),
        ({"service_name": "internal-api"}, "patterns.ingress.service_name = 'internal-api': the edge load balancer would be named 'internal-api-edge': a load balancer name is 1-32"),
    ],
)
def test_bad_settings_are_refused_with_the_field(settings: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        ingress_config(**settings)
    assert expected in str(refused.value)


def test_the_edge_account_must_be_its_own() -> None:
    with pytest.raises(ConfigError) as refused:
        ingress_config(accounts={**ACCOUNTS, "edge": {"id": "111111111111"}})
    assert "accounts.service.id and accounts.edge.id are both 111111111111" in str(refused.value)
    with pytest.raises(ConfigError) as missing:
        ingress_config(accounts={"service": ACCOUNTS["service"], "consumer": ACCOUNTS["consumer"]})
    assert "accounts.edge" in str(missing.value)


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    configs = {"vpn": ingress_config(vpn=VPN, certificate_arn=CERTIFICATE), "secrets": ingress_config(discovery="secrets_manager")}
    return {name: synth(config, tmp_path_factory.mktemp(name) / "cdktf.out") for name, config in configs.items()}


def test_a_discovery_secret_only_for_the_channel_that_reads_it(stacks, variants) -> None:
    """With remote state (the default) nobody reads the secret: it and its KMS key
    cost $1.40 a month and granted the edge account a read it never made."""
    for kind in ("aws_secretsmanager_secret", "aws_kms_key"):
        assert resources(stacks[SERVICE], kind) == {}, kind
    secrets = load_stacks(variants["secrets"])
    (secret,) = resources(secrets[SERVICE], "aws_secretsmanager_secret").values()
    assert secret["name"] == "ingress_service_network"
    (reader,) = data_sources(secrets[EDGE], "aws_secretsmanager_secret_version").values()
    assert ":secret:ingress_service_network" in reader["secret_id"]


def test_the_other_variants_validate_and_apply_against_mocks(variants, terraform) -> None:
    assert_variants_validate_and_apply(terraform, variants)
    assert json.loads((variants["vpn"] / "manifest.json").read_text())["stacks"][EDGE]["dependencies"] == [SERVICE]
