"""The centralized pattern (docs/reference-layouts.md section 2), deployed in one line:
service, then service network, then consumer."""
from __future__ import annotations

import pytest

from app_config.loader import ConfigError
from lattice_check.tfjson import decode_json_argument
from tests.helpers import ROOT, cross_stack_problems, data_sources, forward_problems, load_stacks, make_config, resources, synth

SERVICE = "centralized-service-account"
NETWORK = "centralized-service-network-account"
CONSUMER = "centralized-consumer-account"
ACCOUNTS = {
    "service": {"id": "111111111111"},
    "consumer": {"id": "222222222222"},
    "network": {"id": "333333333333"},
}
CENTRAL_ONLY = {"distributed": {"enabled": False}, "centralized": {"enabled": True}}


def only(stack: dict, kind: str) -> dict:
    found = resources(stack, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


def remote(stack: str, output: str) -> str:
    return f"${{data.terraform_remote_state.{stack}.outputs.{output}}}"


@pytest.fixture(scope="module")
def stacks(default_stacks) -> dict:
    return {name: default_stacks[name] for name in (SERVICE, NETWORK, CONSUMER)}


def test_deploy_order_is_one_straight_line(default_manifest) -> None:
    deps = {name: default_manifest["stacks"][name]["dependencies"] for name in (SERVICE, NETWORK, CONSUMER)}
    assert deps == {SERVICE: [], NETWORK: [SERVICE], CONSUMER: [NETWORK]}


def test_every_reference_resolves_to_an_output_of_an_earlier_stack(default_stacks, default_manifest) -> None:
    assert cross_stack_problems(default_stacks, default_manifest) == []
    refs = {
        name: sorted(data_sources(stack, "terraform_remote_state"))
        for name, stack in default_stacks.items()
        if name.startswith("centralized")
    }
    assert refs == {SERVICE: [], NETWORK: [SERVICE], CONSUMER: [NETWORK]}


def test_service_account_shares_its_service_with_the_central_account(stacks) -> None:
    service = stacks[SERVICE]
    svc = only(service, "aws_vpclattice_service")
    assert (svc["name"], svc["auth_type"]) == ("central-lambda-service", "AWS_IAM")
    assert only(service, "aws_vpclattice_target_group")["name"] == "central-lambdatarget"
    assert only(service, "aws_vpclattice_listener")["name"] == "httplistener"
    assert only(service, "aws_ram_principal_association")["principal"] == "333333333333"
    assert only(service, "aws_lambda_function")["function_name"] == "centralized-lambda_function"
    assert only(service, "aws_iam_role")["name"] == "centralized-lambda-service-lambda-role"
    assert only(service, "aws_secretsmanager_secret")["name"] == "vpclattice_services"
    assert forward_problems(service) == []
    (statement,) = decode_json_argument(only(service, "aws_vpclattice_auth_policy")["policy"])["Statement"]
    assert statement["Condition"] == {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "222222222222"}}


def test_central_account_owns_the_network_associates_the_service_and_shares_the_network(stacks) -> None:
    network_stack = stacks[NETWORK]
    (provider,) = network_stack["provider"]["aws"]
    assert provider["allowed_account_ids"] == ["333333333333"]
    assert provider["default_tags"][0]["tags"]["AccountRole"] == "service-network"
    network = only(network_stack, "aws_vpclattice_service_network")
    assert (network["name"], network["auth_type"]) == ("centralized-service-network", "AWS_IAM")
    accepter = only(network_stack, "aws_ram_resource_share_accepter")
    assert accepter["share_arn"] == remote(SERVICE, "ram_share_arn")
    association = only(network_stack, "aws_vpclattice_service_network_service_association")
    assert association["service_identifier"] == remote(SERVICE, "service_arns.lambdaservice")
    assert association["service_network_identifier"] == "${aws_vpclattice_service_network.service-network_network.id}"
    assert association["depends_on"] == ["aws_ram_resource_share_accepter.ram-share-accepter_accepter"]
    share = only(network_stack, "aws_ram_resource_share")
    assert (share["name"], share["allow_external_principals"]) == ("Amazon VPC Lattice service network", True)
    assert only(network_stack, "aws_ram_principal_association")["principal"] == "222222222222"
    assert only(network_stack, "aws_ram_resource_association")["resource_arn"] == (
        "${aws_vpclattice_service_network.service-network_network.arn}"
    )
    assert set(network_stack["output"]) == {"service_network_id", "service_network_arn", "ram_share_arn"}
    policy = decode_json_argument(only(network_stack, "aws_vpclattice_auth_policy")["policy"])
    (statement,) = policy["Statement"]
    assert statement["Condition"] == {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "222222222222"}}
    assert statement["Resource"] == remote(SERVICE, "service_arns.lambdaservice")[:-1] + "}/*"


def test_central_secret_key_admits_exactly_the_two_other_accounts(stacks) -> None:
    network_stack = stacks[NETWORK]
    key_policy = decode_json_argument(only(network_stack, "aws_kms_key")["policy"])
    admin, readers = key_policy["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::333333333333:root"}
    assert readers["Principal"] == {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]}
    secret = only(network_stack, "aws_secretsmanager_secret")
    assert secret["name"] == "central_service_network"
    assert decode_json_argument(secret["policy"])["Statement"][0]["Principal"] == readers["Principal"]
    value = decode_json_argument(only(network_stack, "aws_secretsmanager_secret_version")["secret_string"])
    assert value == {
        "arn": "${aws_vpclattice_service_network.service-network_network.arn}",
        "id": "${aws_vpclattice_service_network.service-network_network.id}",
        "ram_share": "${aws_ram_resource_share.ram-share_share.arn}",
    }


def test_consumer_associates_each_vpc_with_the_central_network_by_arn(stacks) -> None:
    consumer = stacks[CONSUMER]
    assert "aws_vpclattice_service_network" not in consumer["resource"], "no service network of its own"
    assert only(consumer, "aws_ram_resource_share_accepter")["share_arn"] == remote(NETWORK, "ram_share_arn")
    associations = resources(consumer, "aws_vpclattice_service_network_vpc_association")
    assert sorted(associations) == [
        "vpc1_service-network-association_association",
        "vpc2_service-network-association_association",
    ]
    for name, association in associations.items():
        vpc = name.split("_")[0]
        assert association["service_network_identifier"] == remote(NETWORK, "service_network_arn")
        assert association["vpc_identifier"] == f"${{aws_vpc.{vpc}_network_vpc.id}}"
        assert association["depends_on"] == ["aws_ram_resource_share_accepter.ram-share-accepter_accepter"]
    # the same client VPCs as the distributed pattern, with pattern-prefixed IAM names
    assert only(consumer, "aws_iam_role")["name"] == "centralized-consumer-ssm-instance-role"


def test_associations_reference_the_network_so_terraform_destroys_them_first(stacks) -> None:
    """Deleting a service network with associations fails (409): every association
    in the network's own stack must reference it, and the consumer's VPC associations
    live in a stack that is destroyed before the network's stack."""
    network_stack = stacks[NETWORK]
    for association in resources(network_stack, "aws_vpclattice_service_network_service_association").values():
        assert "aws_vpclattice_service_network.service-network_network" in association["service_network_identifier"]
    assert resources(network_stack, "aws_vpclattice_service_network_vpc_association") == {}


@pytest.fixture(scope="module")
def secrets_stacks(tmp_path_factory) -> dict:
    config = make_config(
        accounts=ACCOUNTS, patterns={**CENTRAL_ONLY, "centralized": {"enabled": True, "discovery": "secrets_manager", "auth_policy": "open"}}
    )
    return load_stacks(synth(config, tmp_path_factory.mktemp("central-secrets") / "cdktf.out"))


def test_secrets_channel_reads_each_previous_stacks_secret(secrets_stacks) -> None:
    assert sorted(secrets_stacks) == sorted([SERVICE, NETWORK, CONSUMER])
    for stack in secrets_stacks.values():
        assert "terraform_remote_state" not in stack.get("data", {})
    (services_secret,) = data_sources(secrets_stacks[NETWORK], "aws_secretsmanager_secret_version").values()
    assert services_secret["secret_id"] == "arn:aws:secretsmanager:eu-west-1:111111111111:secret:vpclattice_services"
    (network_secret,) = data_sources(secrets_stacks[CONSUMER], "aws_secretsmanager_secret_version").values()
    assert network_secret["secret_id"] == "arn:aws:secretsmanager:eu-west-1:333333333333:secret:central_service_network"
    document = (
        "nonsensitive(jsondecode(data.aws_secretsmanager_secret_version."
        "centralized-service-network-account-secret_version.secret_string))"
    )
    for association in resources(secrets_stacks[CONSUMER], "aws_vpclattice_service_network_vpc_association").values():
        assert association["service_network_identifier"] == f"${{{document}.arn}}"


def test_open_mode_uses_the_original_policy(secrets_stacks) -> None:
    original = '{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}],"Version":"2012-10-17"}'
    assert only(secrets_stacks[NETWORK], "aws_vpclattice_auth_policy")["policy"] == original
    assert only(secrets_stacks[SERVICE], "aws_vpclattice_auth_policy")["policy"] == original


def test_shared_accounts_skip_the_share_between_them(tmp_path_factory) -> None:
    config = make_config(
        accounts={**ACCOUNTS, "network": {"id": "111111111111"}},
        patterns={**CENTRAL_ONLY, "centralized": {"enabled": True, "allow_shared_accounts": True}},
    )
    stacks = load_stacks(synth(config, tmp_path_factory.mktemp("shared") / "cdktf.out"))
    assert "aws_ram_resource_share" not in stacks[SERVICE]["resource"], "RAM cannot share with the owner"
    assert "aws_ram_resource_share_accepter" not in stacks[NETWORK]["resource"]
    association = only(stacks[NETWORK], "aws_vpclattice_service_network_service_association")
    assert "depends_on" not in association
    # the network account still shares with the (different) consumer account
    assert only(stacks[NETWORK], "aws_ram_principal_association")["principal"] == "222222222222"
    assert "aws_secretsmanager_secret" in stacks[SERVICE]["resource"]
    assert "policy" not in only(stacks[SERVICE], "aws_secretsmanager_secret"), "no other account reads it"


@pytest.mark.parametrize(
    "accounts, patterns, expected",
    [
        (
            {"service": {"id": "111111111111"}, "consumer": {"id": "222222222222"}},
            CENTRAL_ONLY,
            "patterns.centralized is enabled: accounts.network is required: Central service-network account",
        ),
        (
            {**ACCOUNTS, "network": {"id": "222222222222"}},
            CENTRAL_ONLY,
            "accounts.network.id and accounts.consumer.id are both 222222222222: the centralized pattern expects "
            "three accounts (set patterns.centralized.allow_shared_accounts = true to allow it)",
        ),
        (
            {**ACCOUNTS, "network": {"id": "111111111111"}},
            CENTRAL_ONLY,
            "accounts.service.id and accounts.network.id are both 111111111111",
        ),
        (
            ACCOUNTS,
            {"centralized": {"enabled": True, "service_name": "lambda-service"}},
            "patterns.distributed.service_name and patterns.centralized.service_name both make 'lambda-service': "
            "Lattice service names are unique in account 111111111111; rename one",
        ),
        (
            ACCOUNTS,
            {"centralized": {"enabled": True, "target_group_name": "lambdatarget"}},
            "patterns.distributed.target_group_name and patterns.centralized.target_group_name both make 'lambdatarget': "
            "Lattice target group names are unique in account 111111111111",
        ),
        (
            ACCOUNTS,
            {"centralized": {"enabled": True, "service_network_name": "servicenetwork-x"}},
            "patterns.centralized.service_network_name = 'servicenetwork-x': a service network name is 3-63 lowercase letters",
        ),
        (
            ACCOUNTS,
            {"centralized": {"enabled": True, "service_name": "svc-bad"}},
            "patterns.centralized.service_name = 'svc-bad': a service name is 3-40 lowercase letters",
        ),
        (
            ACCOUNTS,
            {"centralized": {"enabled": True, "service_name": "a--b"}},
            "patterns.centralized.service_name = 'a--b': a service name is 3-40 lowercase letters, digits and hyphens, "
            "with no leading, trailing or double hyphen",
        ),
    ],
)
def test_centralized_config_rules(accounts: dict, patterns: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_config(accounts=accounts, patterns=patterns)
    (problem,) = caught.value.problems
    assert problem.startswith(expected), problem


def test_the_two_patterns_stacks_repeat_no_blocks(tmp_path) -> None:
    """Shared pieces live in constructs_lib and accounts/building_blocks.py, so the
    pattern modules themselves share no run of 6+ lines (checked with the workplace's
    `duplicates` command where it is installed)."""
    import shutil
    import subprocess

    tool = shutil.which("duplicates")
    if tool is None:
        pytest.skip("the duplicates command is not installed here")
    for pattern in ("distributed", "centralized"):
        for module in ("config.py", "stacks.py"):
            shutil.copy(ROOT / "accounts" / pattern / module, tmp_path / f"{pattern}_{module}")
    report = subprocess.run([tool, "--repo", str(tmp_path)], capture_output=True, text=True, timeout=60).stdout
    assert report.startswith("no duplicates (4 files read)"), report
