"""The distributed pattern, resource for resource against the AWS sample
(docs/reference-layouts.md section 1), and its wiring."""
from __future__ import annotations

import json
import re

import pytest

from constructs_lib.documents.auth_policy import open_policy
from lattice_check.tfjson import decode_json_argument
from tests.helpers import cross_stack_problems, data_sources, forward_problems, load_stacks, make_config, resources, synth

SERVICE = "distributed-service-account"
CONSUMER = "distributed-consumer-account"


def only(stack: dict, kind: str) -> dict:
    found = resources(stack, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


def ref(kind: str, body_name: str, attr: str) -> str:
    return f"${{{kind}.{body_name}.{attr}}}"


def name_of(stack: dict, kind: str) -> str:
    (name,) = resources(stack, kind)
    return name


@pytest.fixture(scope="module")
def service(default_stacks) -> dict:
    return default_stacks[SERVICE]


@pytest.fixture(scope="module")
def consumer(default_stacks) -> dict:
    return default_stacks[CONSUMER]


def test_stack_names(default_stacks) -> None:
    assert {SERVICE, CONSUMER} <= set(default_stacks)


def test_lattice_service_listener_and_target_group(service) -> None:
    svc = only(service, "aws_vpclattice_service")
    assert (svc["name"], svc["auth_type"]) == ("lambda-service", "AWS_IAM")
    listener = only(service, "aws_vpclattice_listener")
    assert (listener["name"], listener["protocol"], listener["port"]) == ("httplistener", "HTTP", 80)
    tg_name = name_of(service, "aws_vpclattice_target_group")
    tg = only(service, "aws_vpclattice_target_group")
    assert (tg["name"], tg["type"]) == ("lambdatarget", "LAMBDA")
    assert listener["default_action"]["forward"] == [
        {"target_groups": [{"target_group_identifier": ref("aws_vpclattice_target_group", tg_name, "id"), "weight": 100}]}
    ]
    assert listener["service_identifier"] == ref("aws_vpclattice_service", name_of(service, "aws_vpclattice_service"), "id")


def test_lambda_target_is_registered_and_invokable_only_through_its_target_group(service) -> None:
    fn_name = name_of(service, "aws_lambda_function")
    tg_name = name_of(service, "aws_vpclattice_target_group")
    attachment = only(service, "aws_vpclattice_target_group_attachment")
    assert attachment["target"] == {"id": ref("aws_lambda_function", fn_name, "arn")}
    permission = only(service, "aws_lambda_permission")
    assert permission["principal"] == "vpc-lattice.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["source_arn"] == ref("aws_vpclattice_target_group", tg_name, "arn")
    assert permission["function_name"] == ref("aws_lambda_function", fn_name, "function_name")
    assert attachment["depends_on"] == [f"aws_lambda_permission.{name_of(service, 'aws_lambda_permission')}"]


def test_lambda_function_package_and_role(service) -> None:
    fn = only(service, "aws_lambda_function")
    assert fn["handler"] == "lambda_function.lambda_handler"
    assert fn["runtime"].startswith("python3.")
    assert re.fullmatch(r"assets/[^/]+/[0-9A-F]+/distributed-lambda_function\.zip", fn["filename"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{43}=", fn["source_code_hash"])
    role = only(service, "aws_iam_role")
    assert role["name"] == "distributed-lambda-service-lambda-role"
    assert decode_json_argument(role["assume_role_policy"])["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    policy = decode_json_argument(only(service, "aws_iam_policy")["policy"])
    (statement,) = policy["Statement"]
    assert statement["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    assert all(r.startswith("arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/") for r in statement["Resource"])


def test_ram_share_of_the_service_with_the_consumer_account(service) -> None:
    share_name = name_of(service, "aws_ram_resource_share")
    share = only(service, "aws_ram_resource_share")
    assert share == {**share, "name": "Amazon VPC Lattice service", "allow_external_principals": True}
    assert only(service, "aws_ram_principal_association")["principal"] == "222222222222"
    association = only(service, "aws_ram_resource_association")
    assert association["resource_arn"] == ref("aws_vpclattice_service", name_of(service, "aws_vpclattice_service"), "arn")
    assert association["resource_share_arn"] == ref("aws_ram_resource_share", share_name, "arn")


def test_discovery_secret_and_key(service) -> None:
    key = only(service, "aws_kms_key")
    assert (key["enable_key_rotation"], key["deletion_window_in_days"]) == (True, 7)
    key_policy = decode_json_argument(key["policy"])
    admin, readers = key_policy["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"} and admin["Action"] == "kms:*"
    assert readers["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert readers["Condition"]["StringEquals"] == {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    assert readers["Condition"]["StringLike"] == {
        "kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:*"
    }
    secret = only(service, "aws_secretsmanager_secret")
    assert (secret["name"], secret["recovery_window_in_days"]) == ("vpc_lattice_services", 0)
    assert secret["kms_key_id"] == ref("aws_kms_key", name_of(service, "aws_kms_key"), "arn")
    (statement,) = decode_json_argument(secret["policy"])["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert statement["Action"] == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:GetSecretValue",
    ]
    value = decode_json_argument(only(service, "aws_secretsmanager_secret_version")["secret_string"])
    svc = name_of(service, "aws_vpclattice_service")
    assert value == {
        "ram_share": ref("aws_ram_resource_share", name_of(service, "aws_ram_resource_share"), "arn"),
        "services_id": {"lambdaservice": ref("aws_vpclattice_service", svc, "id")},
    }


def test_service_outputs(service) -> None:
    svc = name_of(service, "aws_vpclattice_service")
    assert service["output"]["service_domain_name"]["value"] == {
        "lambdaservice": ref("aws_vpclattice_service", svc, "dns_entry[0].domain_name")
    }
    assert set(service["output"]) == {"service_domain_name", "service_ids", "service_arns", "ram_share_arn"}


def test_consumer_vpcs_subnets_and_endpoints(consumer) -> None:
    vpcs = resources(consumer, "aws_vpc")
    assert sorted(v["tags"]["Name"] for v in vpcs.values()) == ["vpc1", "vpc2"]
    assert {v["cidr_block"] for v in vpcs.values()} == {"10.0.0.0/24"}
    subnets = resources(consumer, "aws_subnet")
    vpc1 = {s["tags"]["Name"]: s["cidr_block"] for s in subnets.values() if s["tags"]["Name"].startswith("vpc1-")}
    assert vpc1 == {  # the original's addresses: its VPC module carves the tiers in key order
        "vpc1-endpoints-1": "10.0.0.0/28",
        "vpc1-endpoints-2": "10.0.0.16/28",
        "vpc1-workload-1": "10.0.0.32/28",
        "vpc1-workload-2": "10.0.0.48/28",
    }
    endpoints = resources(consumer, "aws_vpc_endpoint").values()
    assert sorted(e["service_name"] for e in endpoints) == sorted(
        f"com.amazonaws.eu-west-1.{s}" for s in ("ssm", "ssmmessages", "ec2messages", "ssm", "ssmmessages", "ec2messages")
    )
    assert all(e["private_dns_enabled"] and e["vpc_endpoint_type"] == "Interface" for e in endpoints)
    for name, endpoint in resources(consumer, "aws_vpc_endpoint").items():
        vpc = name.split("_")[0]
        assert endpoint["subnet_ids"] == [
            f"${{aws_subnet.{vpc}_network_endpoints-1.id}}",
            f"${{aws_subnet.{vpc}_network_endpoints-2.id}}",
        ]


def test_security_groups(consumer) -> None:
    groups = {(n.split("_")[0], g["name"]): g for n, g in resources(consumer, "aws_security_group").items()}
    lattice = groups[("vpc1", "lattice-vpc-association")]
    assert [(r["protocol"], r["from_port"], r["to_port"], r["cidr_blocks"]) for r in lattice["ingress"]] == [
        ("tcp", 80, 80, ["10.0.0.0/24"])
    ]
    endpoints = groups[("vpc1", "endpoints_sg")]
    assert [(r["protocol"], r["from_port"], r["cidr_blocks"]) for r in endpoints["ingress"]] == [
        ("tcp", 443, ["10.0.0.0/24"])
    ]
    assert endpoints["egress"] == []
    instance = groups[("vpc1", "instance_security_group")]
    assert [(r["protocol"], r["from_port"], r["cidr_blocks"]) for r in instance["ingress"]] == [
        ("icmp", -1, ["10.0.0.0/24"])
    ]
    assert sorted((r["protocol"], r["from_port"], r["cidr_blocks"][0]) for r in instance["egress"]) == [
        ("tcp", 80, "169.254.171.0/24"),
        ("tcp", 443, "10.0.0.0/24"),
    ]


def test_instances(consumer) -> None:
    instances = resources(consumer, "aws_instance")
    assert sorted(i["tags"]["Name"] for i in instances.values()) == [
        "vpc1-instance-1",
        "vpc1-instance-2",
        "vpc2-instance-1",
        "vpc2-instance-2",
    ]
    for instance in instances.values():
        assert instance["instance_type"] == "t2.micro"
        assert instance["associate_public_ip_address"] is False
        assert instance["metadata_options"] == {"http_endpoint": "enabled", "http_tokens": "required"}
        assert instance["root_block_device"] == {"encrypted": True}
        assert instance["ami"] == "${data.aws_ami.amazon-linux_ami.id}"
        assert "_network_workload-" in instance["subnet_id"]
    ami = data_sources(consumer, "aws_ami")["amazon-linux_ami"]
    assert {"name": "name", "values": ["al2023-ami-2023.*-x86_64"]} in ami["filter"]
    assert only(consumer, "aws_iam_role_policy_attachment")["policy_arn"].endswith("AmazonSSMManagedInstanceCore")


def test_service_networks_associate_the_vpc_and_the_shared_service(consumer) -> None:
    networks = resources(consumer, "aws_vpclattice_service_network")
    assert sorted((n["name"], n["auth_type"]) for n in networks.values()) == [
        ("vpc1-service-network", "AWS_IAM"),
        ("vpc2-service-network", "AWS_IAM"),
    ]
    for vpc in ("vpc1", "vpc2"):
        network = f"{vpc}-service-network_network"
        vpc_assoc = resources(consumer, "aws_vpclattice_service_network_vpc_association")[
            f"{vpc}_service-network-association_association"
        ]
        assert vpc_assoc["service_network_identifier"] == ref("aws_vpclattice_service_network", network, "id")
        assert vpc_assoc["vpc_identifier"] == ref("aws_vpc", f"{vpc}_network_vpc", "id")
        assert vpc_assoc["security_group_ids"] == [ref("aws_security_group", f"{vpc}_lattice-security-group_sg", "id")]
        svc_assoc = resources(consumer, "aws_vpclattice_service_network_service_association")[
            f"{vpc}-service-network_service-lambdaservice_association"
        ]
        assert svc_assoc["service_network_identifier"] == ref("aws_vpclattice_service_network", network, "id")
        # across accounts the service is named by ARN, read from the service stack's state
        assert svc_assoc["service_identifier"] == (
            "${data.terraform_remote_state.distributed-service-account.outputs.service_arns.lambdaservice}"
        )
        assert svc_assoc["depends_on"] == ["aws_ram_resource_share_accepter.ram-share-accepter_accepter"]


def test_share_is_accepted_from_remote_state(consumer) -> None:
    accepter = only(consumer, "aws_ram_resource_share_accepter")
    assert accepter["share_arn"] == "${data.terraform_remote_state.distributed-service-account.outputs.ram_share_arn}"


def test_every_forward_names_a_weighted_target_group(default_stacks) -> None:
    for name, stack in default_stacks.items():
        assert forward_problems(stack) == [], name


def test_every_cross_stack_reference_resolves_to_an_earlier_output(default_stacks, default_manifest) -> None:
    assert cross_stack_problems(default_stacks, default_manifest) == []
    # and the check can fail: a reference to an output the producer lacks is caught
    broken = json.loads(json.dumps(default_stacks))
    broken[CONSUMER]["resource"]["aws_ram_resource_share_accepter"]["ram-share-accepter_accepter"]["share_arn"] = (
        "${data.terraform_remote_state.distributed-service-account.outputs.no_such_output}"
    )
    assert cross_stack_problems(broken, default_manifest) == [
        f"{CONSUMER}: {SERVICE} has no output 'no_such_output'"
    ]


def test_deploy_order_service_then_consumer(default_manifest) -> None:
    assert default_manifest["stacks"][CONSUMER]["dependencies"] == [SERVICE]  # destroy runs in reverse
    assert default_manifest["stacks"][SERVICE]["dependencies"] == []


def test_providers_are_pinned_to_their_account_with_default_tags(default_stacks) -> None:
    for name, account, role in ((SERVICE, "111111111111", "service"), (CONSUMER, "222222222222", "consumer")):
        (provider,) = default_stacks[name]["provider"]["aws"]
        assert provider["region"] == "eu-west-1"
        assert provider["allowed_account_ids"] == [account]
        assert provider["default_tags"] == [
            {"tags": {"AccountRole": role, "Pattern": "distributed", "Project": "lattice-cdktf"}}
        ]
        assert default_stacks[name]["terraform"]["required_providers"]["aws"]["version"] == "5.100.0"


def test_local_backend_state_lives_outside_cdktf_out(default_stacks) -> None:
    for name, stack in default_stacks.items():
        assert stack["terraform"]["backend"] == {"local": {"path": f"../../../terraform-state/{name}.tfstate"}}


def test_least_privilege_auth_policies(service, consumer) -> None:
    svc = name_of(service, "aws_vpclattice_service")
    service_policy = only(service, "aws_vpclattice_auth_policy")
    assert service_policy["resource_identifier"] == ref("aws_vpclattice_service", svc, "arn")
    assert decode_json_argument(service_policy["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeFromConsumerAccountVpcs",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "vpc-lattice-svcs:Invoke",
                "Resource": ref("aws_vpclattice_service", svc, "arn") + "/*",
                "Condition": {"StringEquals": {"vpc-lattice-svcs:SourceVpcOwnerAccount": "222222222222"}},
            }
        ],
    }
    for vpc in ("vpc1", "vpc2"):
        policy = resources(consumer, "aws_vpclattice_auth_policy")[f"{vpc}-service-network_auth-policy"]
        assert policy["resource_identifier"] == ref("aws_vpclattice_service_network", f"{vpc}-service-network_network", "arn")
        (statement,) = decode_json_argument(policy["policy"])["Statement"]
        assert statement["Principal"] == "*"  # unsigned curl from the instances passes
        assert statement["Action"] == "vpc-lattice-svcs:Invoke"
        assert statement["Condition"] == {
            "StringEquals": {"vpc-lattice-svcs:SourceVpc": ref("aws_vpc", f"{vpc}_network_vpc", "id")}
        }
        assert statement["Resource"] == (
            "${data.terraform_remote_state.distributed-service-account.outputs.service_arns.lambdaservice}/*"
        )


@pytest.fixture(scope="module")
def variant_stacks(tmp_path_factory):
    """Open policies, Secrets Manager discovery, an S3 backend and per-account credentials."""
    config = make_config(
        accounts={
            "service": {"id": "111111111111", "role_arn": "arn:aws:iam::111111111111:role/deploy"},
            "consumer": {"id": "222222222222", "profile": "consumer"},
        },
        backend={
            "type": "s3",
            "bucket": "org-tf-state",
            "region": "us-east-1",
            "key_prefix": "lattice",
            "role_arn": "arn:aws:iam::999999999999:role/state",
        },
        patterns={"distributed": {"auth_policy": "open", "discovery": "secrets_manager"}},
        tags={"CostCenter": "net"},
    )
    return load_stacks(synth(config, tmp_path_factory.mktemp("variant") / "cdktf.out"))


def test_open_mode_reproduces_the_original_policy_exactly(variant_stacks) -> None:
    original = '{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}],"Version":"2012-10-17"}'
    assert open_policy() == original
    policies = [
        p["policy"]
        for stack in variant_stacks.values()
        for p in resources(stack, "aws_vpclattice_auth_policy").values()
    ]
    assert policies == [original] * 3


def test_secrets_manager_discovery_reads_the_original_secret(variant_stacks) -> None:
    consumer = variant_stacks[CONSUMER]
    assert "terraform_remote_state" not in consumer.get("data", {})
    (version,) = data_sources(consumer, "aws_secretsmanager_secret_version").values()
    assert version["secret_id"] == "arn:aws:secretsmanager:eu-west-1:111111111111:secret:vpc_lattice_services"
    document = "nonsensitive(jsondecode(data.aws_secretsmanager_secret_version.distributed-service-account-secret_version.secret_string))"
    accepter = only(consumer, "aws_ram_resource_share_accepter")
    assert accepter["share_arn"] == f"${{{document}.ram_share}}"
    (assoc, _) = resources(consumer, "aws_vpclattice_service_network_service_association").values()
    assert assoc["service_identifier"] == (
        f"arn:aws:vpc-lattice:eu-west-1:111111111111:service/${{{document}.services_id.lambdaservice}}"
    )
    # the secret the consumer reads is the one the service stack writes
    secret = only(variant_stacks[SERVICE], "aws_secretsmanager_secret")
    assert version["secret_id"].endswith(f":secret:{secret['name']}")


def test_s3_backend_and_remote_state_with_role(variant_stacks) -> None:
    for name, stack in variant_stacks.items():
        assert stack["terraform"]["backend"] == {
            "s3": {
                "bucket": "org-tf-state",
                "key": f"lattice/{name}.tfstate",
                "region": "us-east-1",
                "encrypt": True,
                "use_lockfile": True,
                "assume_role": {"role_arn": "arn:aws:iam::999999999999:role/state"},
            }
        }


def test_remote_state_reader_uses_the_state_role(tmp_path_factory) -> None:
    config = make_config(
        backend={"type": "s3", "bucket": "org-tf-state", "role_arn": "arn:aws:iam::999999999999:role/state"}
    )
    stacks = load_stacks(synth(config, tmp_path_factory.mktemp("s3") / "cdktf.out"))
    remote = data_sources(stacks[CONSUMER], "terraform_remote_state")[SERVICE]
    assert remote == {
        "backend": "s3",
        "config": {
            "bucket": "org-tf-state",
            "key": f"lattice-cdktf/{SERVICE}.tfstate",
            "region": "eu-west-1",
            "assume_role": {"role_arn": "arn:aws:iam::999999999999:role/state"},
        },
    }


def test_credentials_per_account(variant_stacks) -> None:
    (service_provider,) = variant_stacks[SERVICE]["provider"]["aws"]
    assert service_provider["assume_role"] == [
        {"role_arn": "arn:aws:iam::111111111111:role/deploy", "session_name": "lattice-cdktf"}
    ]
    assert "profile" not in service_provider
    (consumer_provider,) = variant_stacks[CONSUMER]["provider"]["aws"]
    assert consumer_provider["profile"] == "consumer" and "assume_role" not in consumer_provider
    assert consumer_provider["default_tags"][0]["tags"]["CostCenter"] == "net"


def test_detailed_monitoring_can_be_turned_off(tmp_path) -> None:
    """On by default (1-minute metrics, $2.10 per instance a month); the original has basic monitoring."""
    vpc = {"cidr_block": "10.0.0.0/24", "number_azs": 1, "detailed_monitoring": False}
    stacks = load_stacks(synth(make_config(vpcs={"vpc1": vpc}), tmp_path / "cdktf.out"))
    (instance,) = resources(stacks["distributed-consumer-account"], "aws_instance").values()
    assert instance["monitoring"] is False
    assert any("CKV_AWS_126" in line for line in instance["//"]["checkov"])  # the scan knows it was asked for
