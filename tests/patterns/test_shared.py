"""Shared service with isolated networks (seed 001; docs/reference-layouts.md section 3)."""
from __future__ import annotations

import json

import pytest

from app_config.loader import ConfigError
from lattice_check.tfjson import decode_json_argument
from tests.helpers import cross_stack_problems, data_sources, forward_problems, load_stacks, make_config, resources, synth

COMMON, BLUE, GREEN = "shared-common-account", "shared-blue-account", "shared-green-account"
ACCOUNTS = {"service": {"id": "111111111111"}, "consumer": {"id": "222222222222"}, "common": {"id": "666666666666"}}
TENANTS = {
    "blue": {
        "account": {"id": "444444444444"},
        "service_network": "blue-service-network",
        "network_vpc_cidr": "192.168.0.0/23",
        "vpc_cidr": "10.100.0.0/16",
    },
    "green": {
        "account": {"id": "555555555555"},
        "service_network": "green-service-network",
        "network_vpc_cidr": "192.168.2.0/23",
        "vpc_cidr": "10.200.0.0/16",
    },
}


def shared_config(**shared) -> dict:
    tenants = json.loads(json.dumps(TENANTS))
    for name, changes in shared.pop("tenant_changes", {}).items():
        tenants[name].update(changes)
    return {
        "accounts": ACCOUNTS,
        "patterns": {"distributed": {"enabled": False}, "shared": {"enabled": True, "tenants": tenants, **shared}},
    }


def only(stack: dict, kind: str) -> dict:
    found = resources(stack, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


def remote(output: str) -> str:
    return f"${{data.terraform_remote_state.{COMMON}.outputs.{output}}}"


@pytest.fixture(scope="module")
def stacks(default_stacks) -> dict:
    return {name: default_stacks[name] for name in (COMMON, BLUE, GREEN)}


def test_deploy_order_common_then_tenants(default_manifest, default_stacks) -> None:
    for tenant in (BLUE, GREEN):
        assert default_manifest["stacks"][tenant]["dependencies"] == [COMMON]
    assert default_manifest["stacks"][COMMON]["dependencies"] == []
    assert cross_stack_problems(default_stacks, default_manifest) == []


def test_common_vpcs_subnets_and_peering(stacks) -> None:
    common = stacks[COMMON]
    vpcs = {v["tags"]["Name"]: v["cidr_block"] for v in resources(common, "aws_vpc").values()}
    assert vpcs == {"shared-services-main": "10.0.0.0/16", "blue-network": "192.168.0.0/23", "green-network": "192.168.2.0/23"}
    subnets = {s["tags"]["Name"]: s["cidr_block"] for s in resources(common, "aws_subnet").values()}
    assert subnets == {
        "shared-services-main-public-1": "10.0.0.0/22",
        "shared-services-main-public-2": "10.0.4.0/22",
        "shared-services-main-app-1": "10.0.8.0/22",
        "shared-services-main-app-2": "10.0.12.0/22",
        "blue-network-peer-1": "192.168.0.0/24",
        "blue-network-peer-2": "192.168.1.0/24",
        "green-network-peer-1": "192.168.2.0/24",
        "green-network-peer-2": "192.168.3.0/24",
    }
    peerings = resources(common, "aws_vpc_peering_connection")
    assert sorted(p["peer_vpc_id"] for p in peerings.values()) == ["${aws_vpc.blue-network_vpc.id}", "${aws_vpc.green-network_vpc.id}"]
    assert all(p["vpc_id"] == "${aws_vpc.main_vpc.id}" and p["auto_accept"] for p in peerings.values())
    assert all(p["accepter"] == {"allow_remote_vpc_dns_resolution": True} for p in peerings.values())
    routes = resources(common, "aws_route")
    to_blue = [r for r in routes.values() if r["destination_cidr_block"] == "192.168.0.0/23"]
    assert sorted(r["route_table_id"] for r in to_blue) == ["${aws_route_table.main_app-1-routes.id}", "${aws_route_table.main_app-2-routes.id}"]
    back = [r for n, r in routes.items() if n.startswith("blue-peering_to-requester")]
    assert {r["destination_cidr_block"] for r in back} == {"10.0.0.0/16"}
    internet = [r for r in routes.values() if r["destination_cidr_block"] == "0.0.0.0/0"]
    assert sorted(r["route_table_id"] for r in internet) == ["${aws_route_table.main_public-1-routes.id}", "${aws_route_table.main_public-2-routes.id}"]


def test_directory_service_lambda_alb_and_lattice_service(stacks) -> None:
    common = stacks[COMMON]
    function = only(common, "aws_lambda_function")
    assert function["handler"] == "lambda_function.lambda_handler"
    assert function["vpc_config"]["subnet_ids"] == ["${aws_subnet.main_app-1.id}", "${aws_subnet.main_app-2.id}"]
    alb = only(common, "aws_lb")
    assert (alb["internal"], alb["load_balancer_type"], alb["name"]) == (True, "application", "DirectoryServiceLb")
    assert only(common, "aws_lb_target_group")["target_type"] == "lambda"
    listener = only(common, "aws_lb_listener")
    assert (listener["port"], listener["protocol"]) == (80, "HTTP")
    permission = only(common, "aws_lambda_permission")
    assert permission["principal"] == "elasticloadbalancing.amazonaws.com"
    assert permission["source_arn"] == "${aws_lb_target_group.directory-alb_target-group.arn}"
    target_group = only(common, "aws_vpclattice_target_group")
    assert (target_group["name"], target_group["type"]) == ("shared-service-target", "ALB")
    assert target_group["config"] == {"port": 80, "protocol": "HTTP", "vpc_identifier": "${aws_vpc.main_vpc.id}"}
    assert only(common, "aws_vpclattice_target_group_attachment")["target"] == {"id": "${aws_lb.directory-alb_alb.arn}", "port": 80}
    service = only(common, "aws_vpclattice_service")
    assert (service["name"], service["auth_type"]) == ("shared-service", "AWS_IAM")
    lattice_listener = only(common, "aws_vpclattice_listener")
    assert (lattice_listener["name"], lattice_listener["protocol"], lattice_listener["port"]) == ("shared-service-listener", "HTTP", 80)
    assert forward_problems(common) == []
    alb_sg = next(g for g in resources(common, "aws_security_group").values() if g["name"] == "directory-alb")
    assert alb_sg["ingress"][0]["prefix_list_ids"] == ["${data.aws_ec2_managed_prefix_list.lattice-prefix-list.id}"]
    assert data_sources(common, "aws_ec2_managed_prefix_list")["lattice-prefix-list"]["name"] == "com.amazonaws.eu-west-1.vpc-lattice"


def test_the_alb_target_is_registered_after_its_listener_and_deregistered_before(stacks) -> None:
    """Lattice forwards to the ALB's listener on the target group's port: the
    attachment waits for it on create, and goes first on destroy."""
    (attachment,) = resources(stacks[COMMON], "aws_vpclattice_target_group_attachment").values()
    (listener_name,) = resources(stacks[COMMON], "aws_lb_listener")
    assert attachment["depends_on"] == [f"aws_lb_listener.{listener_name}"]


def test_service_auth_policy_is_the_originals_two_conditional_statements(stacks) -> None:
    policy = resources(stacks[COMMON], "aws_vpclattice_auth_policy")["shared-service_auth-policy"]["policy"]
    statements = decode_json_argument(policy)["Statement"]
    assert [s["Condition"] for s in statements] == [
        {
            "StringEquals": {
                "vpc-lattice-svcs:RequestMethod": "GET",
                "vpc-lattice-svcs:RequestQueryString/q": colour,
                "vpc-lattice-svcs:SourceVpcOwnerAccount": account,
            }
        }
        for colour, account in (("blue", "444444444444"), ("green", "555555555555"))
    ]
    assert all((s["Effect"], s["Principal"], s["Action"]) == ("Allow", "*", "vpc-lattice-svcs:Invoke") for s in statements)


def test_each_tenant_network_serves_one_tenant(stacks) -> None:
    common = stacks[COMMON]
    networks = resources(common, "aws_vpclattice_service_network")
    assert sorted(n["name"] for n in networks.values()) == ["blue-service-network", "green-service-network"]
    for colour, account in (("blue", "444444444444"), ("green", "555555555555")):
        network = f"{colour}-service-network_network"
        vpc_associations = [a for a in resources(common, "aws_vpclattice_service_network_vpc_association").values() if network in a["service_network_identifier"]]
        assert [a["vpc_identifier"] for a in vpc_associations] == [f"${{aws_vpc.{colour}-network_vpc.id}}"]
        service_associations = [a for a in resources(common, "aws_vpclattice_service_network_service_association").values() if network in a["service_network_identifier"]]
        assert [a["service_identifier"] for a in service_associations] == ["${aws_vpclattice_service.shared-service_service.id}"]
        principals = [p["principal"] for n, p in resources(common, "aws_ram_principal_association").items() if n.startswith(f"{colour}-")]
        assert principals == [account], "each network is shared with its own tenant only"
        (statement,) = decode_json_argument(resources(common, "aws_vpclattice_auth_policy")[f"{colour}-service-network_auth-policy"]["policy"])["Statement"]
        assert statement["Condition"] == {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": account}}


def test_tenants_associate_their_vpc_with_their_network_and_run_a_caller(stacks) -> None:
    for colour, stack_name, cidr in (("blue", BLUE, "10.100.0.0/16"), ("green", GREEN, "10.200.0.0/16")):
        tenant = stacks[stack_name]
        assert only(tenant, "aws_vpc")["cidr_block"] == cidr
        association = only(tenant, "aws_vpclattice_service_network_vpc_association")
        assert association["service_network_identifier"] == remote(f"tenant_service_network_arns.{colour}")
        assert association["depends_on"] == ["aws_ram_resource_share_accepter.ram-share-accepter_accepter"]
        assert only(tenant, "aws_ram_resource_share_accepter")["share_arn"] == remote(f"tenant_ram_share_arns.{colour}")
        function = only(tenant, "aws_lambda_function")
        assert function["environment"]["variables"] == {"SERVICE_URL": f"http://{remote('service_domain_name')}/?q={colour}"}
        assert function["vpc_config"]["subnet_ids"] == ["${aws_subnet.vpc_app-1.id}", "${aws_subnet.vpc_app-2.id}"]
        assert (tenant["provider"]["aws"][0]["allowed_account_ids"]) == [{"blue": "444444444444", "green": "555555555555"}[colour]]


def test_one_vpc_can_never_join_both_networks(tmp_path) -> None:
    """Besides the config rules, the constructs refuse a second network for a VPC."""
    from accounts.base import Deployment
    from accounts.shared.config import PATTERN
    from accounts.shared.stacks import SharedCommonAccountStack
    from constructs_lib.lattice import LatticeValidationError
    from constructs_lib.runtime.cdk import App

    config = make_config(**shared_config())
    stack = SharedCommonAccountStack(
        App(outdir=str(tmp_path)), deployment=Deployment.of(config, tmp_path), config=config, settings=PATTERN.settings_of(config)
    )
    with pytest.raises(LatticeValidationError, match=r"vpc_id = '\$\{aws_vpc.blue-network_vpc.id\}': a VPC can be associated with one service network only; shared-common-account/blue-service-network/network-vpc already"):
        stack.tenant_networks["green"].associate_vpc("intruder", vpc_id=stack.tenant_network_vpcs["blue"].id)


def test_open_mode_and_organization_sharing(tmp_path) -> None:
    config = make_config(**shared_config(auth_policy="open", ram_within_organization=True))
    stacks = load_stacks(synth(config, tmp_path / "out"))
    networks = resources(stacks[COMMON], "aws_vpclattice_service_network").values()
    assert {n["auth_type"] for n in networks} == {"NONE"}
    assert set(resources(stacks[COMMON], "aws_vpclattice_auth_policy")) == {"shared-service_auth-policy"}
    assert {s["allow_external_principals"] for s in resources(stacks[COMMON], "aws_ram_resource_share").values()} == {False}
    assert "aws_ram_resource_share_accepter" not in stacks[BLUE]["resource"]
    assert "depends_on" not in only(stacks[BLUE], "aws_vpclattice_service_network_vpc_association")


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            dict(tenant_changes={"green": {"service_network": "blue-service-network"}}),
            "patterns.shared.tenants.blue.service_network and patterns.shared.tenants.green.service_network both make "
            "'blue-service-network': Lattice service network names are unique in account 666666666666",
        ),
        (
            dict(tenant_changes={"green": {"network_vpc_cidr": "192.168.0.0/22"}}),
            "patterns.shared.tenants.blue.network_vpc_cidr 192.168.0.0/23 overlaps "
            "patterns.shared.tenants.green.network_vpc_cidr 192.168.0.0/22",
        ),
        (
            dict(tenant_changes={"green": {"account": {"id": "444444444444"}}}),
            "patterns.shared.tenants.blue.account.id and patterns.shared.tenants.green.account.id are both 444444444444",
        ),
        (
            dict(tenant_changes={"blue": {"network_vpc_cidr": "10.0.0.0/23"}}),
            "patterns.shared.tenants.blue.network_vpc_cidr 10.0.0.0/23 overlaps patterns.shared.main_vpc_cidr 10.0.0.0/16",
        ),
        (
            dict(tenant_changes={"blue": {"vpc_cidr": "10.100.0.0/24"}}),  # found by the generated-config test: crashed at synth
            "patterns.shared.tenants.blue.vpc_cidr = '10.100.0.0/24': subnets do not fit: 2 AZs x tiers app /24 need 512 addresses",
        ),
        (
            dict(tenant_changes={"blue": {"network_vpc_cidr": "192.168.0.0/24"}}),
            "patterns.shared.tenants.blue.network_vpc_cidr = '192.168.0.0/24': subnets do not fit",
        ),
        (
            dict(main_vpc_cidr="10.0.0.0/21"),
            "patterns.shared.main_vpc_cidr = '10.0.0.0/21': subnets do not fit",
        ),
        (
            dict(tenant_changes={"blue": {"account": {"id": "666666666666"}}}),
            "patterns.shared.tenants.blue.account.id is accounts.common.id (666666666666)",
        ),
        (
            dict(tenant_changes={"blue": {"vpc_cidr": "10.100.0.0/8"}}),
            "patterns.shared.tenants.blue.vpc_cidr = '10.100.0.0/8': must be an IPv4 network",
        ),
    ],
)
def test_isolation_rules(changes: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_config(**shared_config(**changes))
    (problem,) = caught.value.problems
    assert problem.startswith(expected), problem


def test_one_tenant_is_not_a_shared_service() -> None:
    raw = shared_config()
    del raw["patterns"]["shared"]["tenants"]["green"]
    with pytest.raises(ConfigError, match="needs at least two isolated tenants"):
        make_config(**raw)


def test_common_account_is_required() -> None:
    raw = shared_config()
    raw["accounts"] = {k: v for k, v in ACCOUNTS.items() if k != "common"}
    with pytest.raises(ConfigError, match=r"patterns.shared is enabled: accounts.common is required: Common-services account"):
        make_config(**raw)
