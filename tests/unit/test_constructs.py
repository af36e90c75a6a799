"""Unit tests per construct in constructs_lib, each on a small stack of its own."""
from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest

from constructs_lib.account_provider import AccountProviderProps, account_provider
from constructs_lib.consumer_vpc import ConsumerVpc, ConsumerVpcProps
from constructs_lib.discovery_secret import DiscoverySecret, DiscoverySecretProps, DiscoverySecretReader
from constructs_lib.documents.auth_policy import allow_invoke_from_accounts, allow_invoke_from_vpcs, invoke_resources
from constructs_lib.documents.policy import Statement, policy_document
from constructs_lib.lambda_package import build_package, zip_bytes
from constructs_lib.lattice import (
    Forward,
    LambdaTargetGroup,
    LambdaTargetGroupProps,
    LatticeService,
    LatticeServiceProps,
    Listener,
    ListenerProps,
    ServiceNetwork,
    ServiceNetworkProps,
    WeightedTarget,
)
from constructs_lib.python_lambda import LambdaVpcPlacement, PythonLambda, PythonLambdaProps
from constructs_lib.ram import RamShare, RamShareAccepter, RamShareProps
from constructs_lib.runtime import aws, cdk
from constructs_lib.runtime.cdk import Construct
from constructs_lib.runtime.naming import ReadableIdsStack
from constructs_lib.state import LocalState, S3State, configure_backend, read_remote_state
from constructs_lib.vpc import TieredVpc, TieredVpcProps
from lattice_check.tfjson import decode_json_argument
from lattice_model.subnet_plan import VpcLayout
from tests.helpers import ROOT

HELLO = ROOT / "lambda" / "hello"


def new_stack(name: str = "unit") -> ReadableIdsStack:
    stack = ReadableIdsStack(cdk.Testing.app(), name)
    aws.provider.AwsProvider(stack, "aws", region="eu-west-1", allowed_account_ids=["111111111111"])
    return stack


def synthesized(stack) -> tuple[str, dict]:
    text = cdk.Testing.synth(stack)
    return text, json.loads(text)


def has(text: str, kind: str, properties: dict) -> bool:
    return cdk.Testing.to_have_resource_with_properties(text, kind, properties)


def lambda_props(**overrides) -> PythonLambdaProps:
    base = dict(
        function_name="fn",
        source_dir=HELLO,
        handler="lambda_function.lambda_handler",
        iam_name_prefix="p",
    )
    base.update(overrides)
    return PythonLambdaProps(**base)


# --- Lambda -------------------------------------------------------------------------


def test_python_lambda_refuses_a_role_name_iam_would() -> None:
    with pytest.raises(ValueError, match=r"/long: iam_name_prefix = 'p{53}': its role 'p{53}-lambda-role': an IAM role name is 1-64"):
        PythonLambda(new_stack(), "long", lambda_props(iam_name_prefix="p" * 53))
    PythonLambda(new_stack(), "fits", lambda_props(iam_name_prefix="p" * 52))


def test_python_lambda_role_logs_and_package() -> None:
    stack = new_stack()
    PythonLambda(stack, "hello", lambda_props(environment={"B": "2", "A": "1"}))
    text, doc = synthesized(stack)
    assert has(text, "aws_iam_role", {"name": "p-lambda-role"})
    assert has(text, "aws_cloudwatch_log_group", {"name": "/aws/lambda/fn", "retention_in_days": 30})
    assert has(
        text,
        "aws_lambda_function",
        {
            "function_name": "fn",
            "handler": "lambda_function.lambda_handler",
            "runtime": "python3.12",
            "source_code_hash": build_package(HELLO, "fn").base64_sha256,
            "environment": {"variables": {"A": "1", "B": "2"}},
            "depends_on": ["aws_cloudwatch_log_group.hello_logs"],
        },
    )
    assert has(text, "aws_iam_role_policy_attachment", {"role": "${aws_iam_role.hello_role.name}"})
    assert "aws_iam_policy_attachment" not in doc["resource"], "exclusive attachments detach other roles"
    assert "vpc_config" not in doc["resource"]["aws_lambda_function"]["hello_function"]


def test_python_lambda_in_a_vpc_gets_vpc_access() -> None:
    stack = new_stack()
    PythonLambda(stack, "caller", lambda_props(vpc=LambdaVpcPlacement(subnet_ids=["subnet-1"], security_group_ids=["sg-1"])))
    text, _ = synthesized(stack)
    assert has(text, "aws_lambda_function", {"vpc_config": {"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-1"]}})
    assert has(
        text,
        "aws_iam_role_policy_attachment",
        {"policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"},
    )


def test_lambda_zip_is_deterministic_and_skips_caches(tmp_path) -> None:
    (tmp_path / "b.py").write_text("B = 1\n")
    (tmp_path / "a.py").write_text("A = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    first = zip_bytes(tmp_path)
    (tmp_path / "a.py").touch()  # a new mtime changes nothing
    assert zip_bytes(tmp_path) == first
    with zipfile.ZipFile(BytesIO(first)) as archive:
        assert archive.namelist() == ["a.py", "b.py"]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    (tmp_path / "a.py").write_text("A = 2\n")
    assert zip_bytes(tmp_path) != first


def test_lambda_zip_refuses_an_empty_directory(tmp_path) -> None:
    with pytest.raises(ValueError, match="has no files"):
        zip_bytes(tmp_path)


# --- Lattice ------------------------------------------------------------------------


def test_lambda_target_group_permission_is_scoped_to_the_target_group() -> None:
    stack = new_stack()
    LambdaTargetGroup(
        stack,
        "tg",
        LambdaTargetGroupProps(name="lambdatarget", function_arn="arn:fn", function_name="fn", event_structure_version="V2"),
    )
    text, doc = synthesized(stack)
    assert has(
        text,
        "aws_vpclattice_target_group",
        {"name": "lambdatarget", "type": "LAMBDA", "config": {"lambda_event_structure_version": "V2"}},
    )
    assert has(
        text,
        "aws_lambda_permission",
        {
            "principal": "vpc-lattice.amazonaws.com",
            "action": "lambda:InvokeFunction",
            "function_name": "fn",
            "source_arn": "${aws_vpclattice_target_group.tg_target-group.arn}",
        },
    )
    attachment = doc["resource"]["aws_vpclattice_target_group_attachment"]["tg_target"]
    assert attachment["target"] == {"id": "arn:fn"}
    assert attachment["depends_on"] == ["aws_lambda_permission.tg_invoke-permission"]


def test_forwarding_listener_keeps_every_weighted_target() -> None:
    stack = new_stack()
    service = LatticeService(stack, "svc", LatticeServiceProps(name="orders"))
    Listener(
        stack,
        "listener",
        ListenerProps(
            name="web",
            service=service,
            protocol="HTTPS",
            default_action=Forward([WeightedTarget("tg-a", 80), WeightedTarget("tg-b", 20)]),
        ),
    )
    text, _ = synthesized(stack)
    assert has(
        text,
        "aws_vpclattice_listener",
        {
            "name": "web",
            "protocol": "HTTPS",
            "port": 443,
            "default_action": {
                "forward": [
                    {
                        "target_groups": [
                            {"target_group_identifier": "tg-a", "weight": 80},
                            {"target_group_identifier": "tg-b", "weight": 20},
                        ]
                    }
                ]
            },
        },
    )


def test_forwarding_listener_refuses_no_targets() -> None:
    stack = new_stack()
    service = LatticeService(stack, "svc", LatticeServiceProps(name="orders"))
    with pytest.raises(ValueError, match=r"unit/empty: default_action.targets = 0: a forward action names 1 to 10 target groups"):
        Listener(stack, "empty", ListenerProps(name="web", service=service, default_action=Forward([])))


def test_service_and_network_auth_policies_name_their_own_arn() -> None:
    stack = new_stack()
    service = LatticeService(stack, "svc", LatticeServiceProps(name="orders", auth_type="AWS_IAM"))
    service.attach_auth_policy(allow_invoke_from_accounts(["222222222222"], invoke_resources([service.arn])))
    network = ServiceNetwork(stack, "net", ServiceNetworkProps(name="net-a"))
    network.attach_auth_policy(allow_invoke_from_vpcs(["vpc-1"]))
    network.associate_service("assoc", service=service.arn)
    text, doc = synthesized(stack)
    policies = doc["resource"]["aws_vpclattice_auth_policy"]
    assert policies["svc_auth-policy"]["resource_identifier"] == "${aws_vpclattice_service.svc_service.arn}"
    assert policies["net_auth-policy"]["resource_identifier"] == "${aws_vpclattice_service_network.net_network.arn}"
    assert has(
        text,
        "aws_vpclattice_service_network_service_association",
        {
            "service_network_identifier": "${aws_vpclattice_service_network.net_network.id}",
            "service_identifier": "${aws_vpclattice_service.svc_service.arn}",
        },
    )


# --- RAM and discovery ----------------------------------------------------------------


def test_ram_share_principals_and_resources() -> None:
    stack = new_stack()
    RamShare(stack, "share", RamShareProps(name="s", principals=["222222222222", "333333333333"], resources={"a": "arn:a"}))
    RamShareAccepter(stack, "accept", share_arn="arn:share")
    text, doc = synthesized(stack)
    assert sorted(p["principal"] for p in doc["resource"]["aws_ram_principal_association"].values()) == [
        "222222222222",
        "333333333333",
    ]
    assert has(text, "aws_ram_resource_association", {"resource_arn": "arn:a"})
    assert has(text, "aws_ram_resource_share_accepter", {"share_arn": "arn:share"})


def test_ram_share_refuses_no_principals() -> None:
    with pytest.raises(ValueError, match="principals: a share needs at least one principal"):
        RamShare(new_stack(), "share", RamShareProps(name="s", principals=[], resources={}))


def test_discovery_secret_admits_exactly_its_readers() -> None:
    stack = new_stack()
    DiscoverySecret(
        stack,
        "secret",
        DiscoverySecretProps(
            secret_name="ids",
            reader_account_ids=["333333333333", "222222222222", "333333333333"],
            payload={"b": 1, "a": "x"},
        ),
    )
    _, doc = synthesized(stack)
    key_policy = decode_json_argument(doc["resource"]["aws_kms_key"]["secret_key"]["policy"])
    assert key_policy["Statement"][1]["Principal"] == {
        "AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
    }
    assert doc["resource"]["aws_secretsmanager_secret_version"]["secret_value"]["secret_string"] == '{"a":"x","b":1}'


def test_discovery_secret_reader_looks_up_nested_keys() -> None:
    stack = new_stack()
    reader = DiscoverySecretReader(stack, "reader", arn="arn:aws:secretsmanager:eu-west-1:111111111111:secret:ids")
    RamShareAccepter(stack, "accept", share_arn=reader.get("a", "b"))
    text, _ = synthesized(stack)
    doc = "nonsensitive(jsondecode(data.aws_secretsmanager_secret_version.reader_version.secret_string))"
    assert has(text, "aws_ram_resource_share_accepter", {"share_arn": f"${{{doc}.a.b}}"})


# --- Networking -----------------------------------------------------------------------


def test_tiered_vpc_subnets_and_routes() -> None:
    stack = new_stack()
    vpc = TieredVpc(stack, "net", TieredVpcProps(name="app", layout=VpcLayout("10.9.0.0/24", 3, {"a": 27, "b": 28})))
    assert len(vpc.subnet_ids("a")) == 3
    with pytest.raises(KeyError, match="no subnet tier 'c'"):
        vpc.subnet_ids("c")
    text, doc = synthesized(stack)
    assert has(text, "aws_vpc", {"cidr_block": "10.9.0.0/24", "enable_dns_hostnames": True, "tags": {"Name": "app"}})
    assert sorted(s["cidr_block"] for s in doc["resource"]["aws_subnet"].values()) == sorted(
        ["10.9.0.0/27", "10.9.0.32/27", "10.9.0.64/27", "10.9.0.96/28", "10.9.0.112/28", "10.9.0.128/28"]
    )
    assert len(doc["resource"]["aws_route_table_association"]) == 6
    assert doc["resource"]["aws_subnet"]["net_a-3"]["availability_zone"] == "${element(data.aws_availability_zones.net_azs.names, 2)}"


def test_consumer_vpc_association_uses_its_security_group() -> None:
    stack = new_stack()
    vpc = ConsumerVpc(
        stack,
        "vpc9",
        ConsumerVpcProps(
            name="vpc9",
            layout=VpcLayout("10.0.0.0/24", 1, {"workload": 28, "endpoints": 28}),
            instance_type="t3.micro",
            ami_id="ami-1",
            instance_profile="profile",
        ),
    )
    vpc.associate("assoc", service_network="arn:aws:vpc-lattice:eu-west-1:333333333333:servicenetwork/sn-1")
    text, doc = synthesized(stack)
    assert has(
        text,
        "aws_vpclattice_service_network_vpc_association",
        {
            "service_network_identifier": "arn:aws:vpc-lattice:eu-west-1:333333333333:servicenetwork/sn-1",
            "vpc_identifier": "${aws_vpc.vpc9_network_vpc.id}",
            "security_group_ids": ["${aws_security_group.vpc9_lattice-security-group_sg.id}"],
        },
    )
    assert len(doc["resource"]["aws_instance"]) == 1
    assert doc["resource"]["aws_instance"]["vpc9_instances_instance-1"]["depends_on"] == [
        "aws_vpc_endpoint.vpc9_ssm-endpoints_ssm",
        "aws_vpc_endpoint.vpc9_ssm-endpoints_ssmmessages",
        "aws_vpc_endpoint.vpc9_ssm-endpoints_ec2messages",
    ]


# --- Stack plumbing -------------------------------------------------------------------


def test_account_provider_pins_the_account() -> None:
    stack = ReadableIdsStack(cdk.Testing.app(), "p")
    account_provider(
        stack,
        AccountProviderProps(region="eu-west-1", account_id="111111111111", profile="dev", default_tags={"b": "2", "a": "1"}),
    )
    _, doc = synthesized(stack)
    (provider,) = doc["provider"]["aws"]
    assert provider == {
        "region": "eu-west-1",
        "allowed_account_ids": ["111111111111"],
        "profile": "dev",
        "default_tags": [{"tags": {"a": "1", "b": "2"}}],
    }


def test_backends_and_remote_state_agree() -> None:
    stack = new_stack()
    configure_backend(stack, S3State(bucket="b", key="k/x.tfstate", region="eu-west-1"))
    remote = read_remote_state(stack, "other", LocalState(path="../x.tfstate"))
    RamShareAccepter(stack, "accept", share_arn=remote.get_string("share"))
    _, doc = synthesized(stack)
    assert doc["terraform"]["backend"]["s3"]["use_lockfile"] is True
    assert doc["data"]["terraform_remote_state"]["other"] == {"backend": "local", "config": {"path": "../x.tfstate"}}


def test_readable_ids_report_a_collision() -> None:
    stack = new_stack()
    outer = Construct(stack, "a")
    aws.lambda_permission.LambdaPermission(outer, "b", action="x", function_name="f", principal="p")
    # reported when the second element is created, not later at synth
    with pytest.raises(Exception, match="unit/a_b: Terraform name aws_lambda_permission.a_b is already used by unit/a/b"):
        aws.lambda_permission.LambdaPermission(stack, "a_b", action="x", function_name="f", principal="p")


def test_policy_documents_are_compact_and_sorted() -> None:
    text = policy_document([Statement(effect="Allow", actions=["b", "a"], resources="*", sid="S")])
    assert text == '{"Statement":[{"Action":["b","a"],"Effect":"Allow","Resource":"*","Sid":"S"}],"Version":"2012-10-17"}'
    with pytest.raises(ValueError):
        policy_document([])


def test_documents_with_references_use_jsonencode_and_read_back() -> None:
    stack = new_stack()
    network = ServiceNetwork(stack, "net", ServiceNetworkProps(name="net-a"))
    network.attach_auth_policy(allow_invoke_from_vpcs([network.id], invoke_resources(["arn:svc"])))
    _, doc = synthesized(stack)
    policy = doc["resource"]["aws_vpclattice_auth_policy"]["net_auth-policy"]["policy"]
    assert policy.startswith("${jsonencode({") and policy.endswith("})}")
    assert decode_json_argument(policy) == {
        "Statement": [
            {
                "Action": "vpc-lattice-svcs:Invoke",
                "Condition": {"StringEquals": {"vpc-lattice-svcs:SourceVpc": "${aws_vpclattice_service_network.net_network.id}"}},
                "Effect": "Allow",
                "Principal": "*",
                "Resource": "arn:svc/*",
                "Sid": "InvokeFromAssociatedVpcs",
            }
        ],
        "Version": "2012-10-17",
    }
    # the HCL rendering keeps the document intact (a JSON string with ${} inside does not)
    hcl = cdk.Testing.synth_hcl(stack)
    assert '"vpc-lattice-svcs:SourceVpc" = aws_vpclattice_service_network.net_network.id' in hcl


def test_tiered_vpc_public_tier_owns_its_gateway_and_routes() -> None:
    stack = new_stack()
    TieredVpc(stack, "edge", TieredVpcProps(name="edge-vpc", layout=VpcLayout("10.1.0.0/24", 2, {"public": 26, "app": 26}), public_tier="public"))
    _, doc = synthesized(stack)
    assert doc["resource"]["aws_internet_gateway"] == {
        "edge-igw": {"tags": {"Name": "edge-vpc-igw"}, "vpc_id": "${aws_vpc.edge_vpc.id}"}
    }
    routes = doc["resource"]["aws_route"]
    assert sorted(routes) == ["edge-public-internet-1", "edge-public-internet-2"]
    assert routes["edge-public-internet-1"] == {
        "destination_cidr_block": "0.0.0.0/0",
        "gateway_id": "${aws_internet_gateway.edge-igw.id}",
        "route_table_id": "${aws_route_table.edge_public-1-routes.id}",
    }
    private = new_stack("private")
    TieredVpc(private, "inner", TieredVpcProps(name="inner", layout=VpcLayout("10.1.0.0/24", 1, {"app": 26})))
    assert "aws_internet_gateway" not in synthesized(private)[1]["resource"]
    with pytest.raises(ValueError, match=r"public_tier = 'web': not one of the tiers \['app'\]"):
        TieredVpc(private, "bad", TieredVpcProps(name="bad", layout=VpcLayout("10.2.0.0/24", 1, {"app": 26}), public_tier="web"))


def test_constructs_read_region_and_account_from_their_stack() -> None:
    from constructs_lib.account_provider import StackAccount, stack_account

    stack = new_stack()
    assert stack_account(Construct(stack, "x")) == StackAccount(region="eu-west-1", account_id="111111111111")
    bare = ReadableIdsStack(cdk.Testing.app(), "bare")
    aws.provider.AwsProvider(bare, "aws", region="eu-west-1")  # no allowed_account_ids: ARNs cannot be built
    with pytest.raises(ValueError, match=r"bare/fn: the stack bare needs a default AWS provider with a region and exactly one allowed_account_ids entry"):
        PythonLambda(bare, "fn", lambda_props())


def test_testing_synth_leaves_no_directory_in_the_machines_temporary_directory() -> None:
    """cdktf's Testing.app makes a cdktf.outdir.* directory per call and never removes
    it (~110 a run, left in /tmp before): the suite gives Node a scratch directory of
    its own (tests/conftest.py), removed at the session's end."""
    import glob
    import os
    import tempfile

    pattern = os.path.join("/tmp", "cdktf.outdir.*")
    before = set(glob.glob(pattern))
    stack = ReadableIdsStack(cdk.Testing.app(), "scratch")
    aws.provider.AwsProvider(stack, "aws", region="eu-west-1")
    cdk.Testing.synth(stack)
    assert set(glob.glob(pattern)) == before
    assert os.environ["TMPDIR"].startswith(os.path.join(tempfile.gettempdir(), "lattice-tests-node-"))


def test_a_process_that_uses_the_node_scratch_leaves_nothing_behind(tmp_path) -> None:
    """The bench runs Testing.synth outside pytest: its cdktf.outdir.* directories go
    to its Node scratch directory, which is gone once the process exits."""
    import glob
    import os
    import subprocess
    import sys

    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from tools.node_scratch import use_node_scratch\n"
        "print(use_node_scratch('lattice-check-node-'), flush=True)\n"
        "from constructs_lib.runtime import aws\n"
        "from constructs_lib.runtime.cdk import TerraformStack, Testing\n"
        "stack = TerraformStack(Testing.app(), 'scratch')\n"
        "aws.provider.AwsProvider(stack, 'aws', region='eu-west-1')\n"
        "Testing.synth(stack)\n"
        "import glob, os; assert glob.glob(os.path.join(os.environ['TMPDIR'], 'cdktf.outdir.*')), 'synth wrote there'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
    env["TMPDIR"] = str(tmp_path)  # where Node would put them otherwise
    done = subprocess.run([sys.executable, "-c", script, str(ROOT)], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    scratch = done.stdout.split()[0]
    assert scratch.startswith(str(tmp_path)) and not os.path.exists(scratch)
    assert glob.glob(str(tmp_path / "cdktf.outdir.*")) == []
