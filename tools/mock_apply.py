"""Plan and apply synthesized stacks against a mocked AWS provider, offline.

``terraform test`` with ``mock_provider "aws"`` runs a real plan and apply in which
the provider's own argument validation still runs (only its API calls are mocked).
Computed attributes therefore get values shaped like the real ones (ARNs, ``svc-``
and ``sn-`` ids, DNS entries): random strings would fail the provider's ARN checks.
``terraform_remote_state`` data sources are overridden with the producing stack's
outputs, computed from the same mock values, so cross-stack wiring is exercised too.

All stacks run in one Terraform process, as child modules of a scratch root (the
provider's schema load, ~5 s, is paid once); their provider blocks are dropped so
they inherit the root's mocked provider. A failure names the stack and resource.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lattice_check import standins
from lattice_check.tfjson import decode_json_argument

from .terraform_offline import OfflineTerraform, offline_part

REGION = "eu-west-1"
ACCOUNT = "111111111111"
_ID = "0123456789abcdef0"  # 17 of [0-9a-z], as Lattice ids have
_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
_LB = "0123456789abcdef"


def _ids(resource_type: str) -> dict[str, str]:
    """``id`` and ``arn`` of a Lattice resource, in the shapes of lattice_check.standins."""
    made_up = standins.resource_id(resource_type, _ID)
    return {"id": made_up, "arn": standins.lattice_arn(REGION, ACCOUNT, resource_type, made_up)}


_SERVICE = _ids("aws_vpclattice_service")["id"]
_LISTENER = standins.resource_id("aws_vpclattice_listener", _ID)
_LISTENER_ARN = standins.listener_arn(REGION, ACCOUNT, _SERVICE, _LISTENER)
_FUNCTION_ARN = standins.lambda_arn(REGION, ACCOUNT, "mocked")
_CA_ARN = f"arn:aws:acm-pca:{REGION}:{ACCOUNT}:certificate-authority/{_UUID}"
_API = "a1b2c3d4e5"


def _ec2(resource_type: str, noun: str) -> dict[str, str]:
    made_up = standins.resource_id(resource_type, _ID)
    return {"id": made_up, "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:{noun}/{made_up}"}


# resource or data source type -> computed attribute -> a value shaped like AWS's
MOCK_RESOURCES: dict[str, dict[str, Any]] = {
    "aws_vpclattice_service": {
        **_ids("aws_vpclattice_service"),
        "dns_entry": [{"domain_name": standins.service_dns_name("lambda-service", _SERVICE, REGION), "hosted_zone_id": standins.SERVICE_HOSTED_ZONE_ID}],
    },
    "aws_vpclattice_service_network": _ids("aws_vpclattice_service_network"),
    "aws_vpclattice_target_group": _ids("aws_vpclattice_target_group"),
    "aws_vpclattice_listener": {"listener_id": _LISTENER, "arn": _LISTENER_ARN},
    "aws_vpclattice_listener_rule": {"rule_id": standins.resource_id("aws_vpclattice_listener_rule", _ID), "arn": f"{_LISTENER_ARN}/rule/rule-{_ID}"},
    "aws_vpclattice_service_network_vpc_association": _ids("aws_vpclattice_service_network_vpc_association"),
    "aws_vpclattice_service_network_service_association": _ids("aws_vpclattice_service_network_service_association"),
    "aws_vpclattice_resource_gateway": _ids("aws_vpclattice_resource_gateway"),
    "aws_vpclattice_resource_configuration": _ids("aws_vpclattice_resource_configuration"),
    "aws_lambda_function": {
        "arn": _FUNCTION_ARN,
        "invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{_FUNCTION_ARN}/invocations",
        "qualified_arn": f"{_FUNCTION_ARN}:1",
    },
    "aws_iam_role": {"arn": f"arn:aws:iam::{ACCOUNT}:role/mocked", "unique_id": "AROAEXAMPLEEXAMPLE001"},
    "aws_iam_policy": {"arn": f"arn:aws:iam::{ACCOUNT}:policy/mocked", "policy_id": "ANPAEXAMPLEEXAMPLE001"},
    "aws_iam_instance_profile": {"arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/mocked"},
    "aws_kms_key": {"arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{_UUID}", "key_id": _UUID},
    "aws_secretsmanager_secret": {"id": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:mocked-AbCdEf", "arn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:mocked-AbCdEf"},
    "aws_ram_resource_share": {"id": standins.ram_share_arn(REGION, ACCOUNT, _UUID), "arn": standins.ram_share_arn(REGION, ACCOUNT, _UUID)},
    "aws_cloudwatch_log_group": {"arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:mocked"},
    "aws_lb": {
        "id": standins.load_balancer_arn(REGION, ACCOUNT, "mocked", _LB),
        "arn": standins.load_balancer_arn(REGION, ACCOUNT, "mocked", _LB),
        "dns_name": f"internal-mocked-1234567890.{REGION}.elb.amazonaws.com",
        "zone_id": "Z32O12XQLNTSW2",
    },
    "aws_lb_target_group": {"id": standins.lb_target_group_arn(REGION, ACCOUNT, "mocked", _LB), "arn": standins.lb_target_group_arn(REGION, ACCOUNT, "mocked", _LB)},
    "aws_lb_listener": {"arn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/mocked/{_LB}/{_LB}"},
    "aws_vpc": _ec2("aws_vpc", "vpc"),
    "aws_subnet": _ec2("aws_subnet", "subnet"),
    "aws_security_group": _ec2("aws_security_group", "security-group"),
    "aws_route_table": {"id": standins.resource_id("aws_route_table", _ID)},
    "aws_internet_gateway": {"id": standins.resource_id("aws_internet_gateway", _ID)},
    "aws_vpc_peering_connection": {"id": standins.resource_id("aws_vpc_peering_connection", _ID)},
    "aws_vpc_endpoint": {
        "id": standins.resource_id("aws_vpc_endpoint", _ID),
        "network_interface_ids": [f"eni-{_ID}", f"eni-{_ID[::-1]}"],  # one per subnet
    },
    "aws_acmpca_certificate_authority": {
        "arn": _CA_ARN,
        "certificate_signing_request": "-----BEGIN CERTIFICATE REQUEST-----\nMOCKED\n-----END CERTIFICATE REQUEST-----",
    },
    "aws_acmpca_certificate": {"arn": f"{_CA_ARN}/certificate/{_LB}", "certificate": "-----BEGIN CERTIFICATE-----\nMOCKED\n-----END CERTIFICATE-----"},
    "aws_acm_certificate": {"arn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/{_UUID}"},
    "aws_api_gateway_rest_api": {"id": _API, "root_resource_id": "abcdef0123", "execution_arn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{_API}"},
    "aws_api_gateway_deployment": {"id": "dpl0123456"},
    "aws_api_gateway_domain_name": {
        "arn": f"arn:aws:apigateway:{REGION}::/domainnames/mocked",
        "regional_domain_name": f"d-0123456789.execute-api.{REGION}.amazonaws.com",
        "regional_zone_id": "ZLY8HYME6SFDD",
    },
    "aws_dynamodb_table": {"arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/mocked"},
    "aws_instance": _ec2("aws_instance", "instance"),
    "aws_route53_zone": {"zone_id": "Z0123456789ABCDEFGHIJ"},
}
MOCK_DATA: dict[str, dict[str, Any]] = {
    "aws_availability_zones": {"names": [f"{REGION}a", f"{REGION}b", f"{REGION}c"], "zone_ids": ["euw1-az1", "euw1-az2", "euw1-az3"]},
    "aws_ami": {"id": "ami-0123456789abcdef0"},
    "aws_ec2_managed_prefix_list": {"id": "pl-0123456789abcdef0"},
    "aws_caller_identity": {"account_id": ACCOUNT},
    "aws_secretsmanager_secret_version": {"secret_string": "{}"},
    "aws_network_interface": {"private_ip": "192.168.2.10"},
}
_REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(.+)\}$")


@dataclass(frozen=True)
class MockRunReport:
    passed: bool
    problems: list[str]  # "<stack>: <resource address>: <summary>: <detail>"
    runs: dict[str, str]  # run name -> pass/fail
    stdout: str


def mocked_value(resource_type: str, attribute_path: str) -> Any:
    """The mock value of ``type.attr[0].sub`` (as used in outputs), or a placeholder."""
    value: Any = MOCK_RESOURCES.get(resource_type, {})
    for part in re.findall(r"[A-Za-z0-9_-]+|\[\d+\]", attribute_path):
        if part.startswith("["):
            value = value[int(part[1:-1])] if isinstance(value, list) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value if value is not None else f"mocked-{resource_type}-{attribute_path}"


def mocked_output(expression: Any) -> Any:
    """An output's value with every plain reference replaced by its mock value."""
    if isinstance(expression, dict):
        return {k: mocked_output(v) for k, v in expression.items()}
    if isinstance(expression, list):
        return [mocked_output(v) for v in expression]
    if isinstance(expression, str):
        match = _REFERENCE.match(expression)
        if match:
            return mocked_value(match.group(1), match.group(3))
    return expression


_SECRET_NAME = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$")


def secret_payloads(readers: dict[str, dict[str, Any]], known: dict[str, dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """(reader stack, data source name, mocked payload) for every secret a reader
    reads that a known stack writes: the payload the producer's secret version
    would hold, its references replaced by their mock values, as the remote-state
    overrides do for outputs."""
    written: dict[str, Any] = {}
    for stack in known.values():
        secrets = stack.get("resource", {}).get("aws_secretsmanager_secret", {})
        for version in stack.get("resource", {}).get("aws_secretsmanager_secret_version", {}).values():
            reference = re.fullmatch(r"\$\{aws_secretsmanager_secret\.([A-Za-z0-9_-]+)\.id\}", str(version.get("secret_id", "")))
            if reference and reference.group(1) in secrets:
                written[secrets[reference.group(1)]["name"]] = decode_json_argument(version["secret_string"])
    found = []
    for reader, stack in sorted(readers.items()):
        for data_name, body in sorted(stack.get("data", {}).get("aws_secretsmanager_secret_version", {}).items()):
            name = _SECRET_NAME.match(str(body.get("secret_id", "")))
            if name and name.group(1) in written:
                found.append((reader, data_name, mocked_output(written[name.group(1)])))
    return found


def _hcl(value: Any) -> str:
    return json.dumps(value)  # JSON values are valid HCL expressions (no "${" in mocks)


@dataclass(frozen=True)
class MockedOutput:
    """The stacks of one synthesized output to plan and apply mocked: name -> stack
    directory, the remote-state reads between them (``remote_state_producers``),
    and producing stacks that are not part of the run (name -> synthesized JSON)."""

    stack_dirs: dict[str, Path]
    producers: dict[tuple[str, str], str]
    producers_json: dict[str, dict[str, Any]] | None = None


def test_file(stacks: dict[str, dict[str, Any]], overrides: list[str]) -> str:
    """The .tftest.hcl: a mocked provider for the types ``stacks`` use (module name ->
    synthesized JSON), the data overrides, a plan and an apply run."""
    lines = ['mock_provider "aws" {']
    used_resources = {t for s in stacks.values() for t in s.get("resource", {})}
    used_data = {t for s in stacks.values() for t in s.get("data", {})}
    for kind, table, types in (("mock_resource", MOCK_RESOURCES, used_resources), ("mock_data", MOCK_DATA, used_data)):
        for resource_type in sorted(types & set(table)):
            defaults = ", ".join(f"{k} = {_hcl(v)}" for k, v in table[resource_type].items())
            lines.append(f'  {kind} "{resource_type}" {{\n    defaults = {{ {defaults} }}\n  }}')
    lines.append("}")
    lines.extend(overrides)
    lines.append('run "plan" {\n  command = plan\n}')
    lines.append('run "apply" {\n  command = apply\n}')
    return "\n".join(lines) + "\n"


def override_blocks(
    stacks: dict[str, dict[str, Any]], producers: dict[tuple[str, str], str], known: dict[str, dict[str, Any]], module_prefix: str = ""
) -> list[str]:
    """The reads of one output: each remote-state read gets its producer's outputs
    and each secret read its producer's payload, mocked (stack names as in the
    output; each stack is the module ``module_prefix + name``)."""
    lines = []
    for (reader, data_name), producer in sorted(producers.items()):
        outputs = {name: mocked_output(o["value"]) for name, o in known[producer].get("output", {}).items()}
        lines.append(
            f"override_data {{\n  target = module.{module_prefix}{reader}.data.terraform_remote_state.{data_name}\n"
            f"  values = {{ outputs = {_hcl(outputs)} }}\n}}"
        )
    for reader, data_name, payload in secret_payloads(stacks, known):
        lines.append(
            f"override_data {{\n  target = module.{module_prefix}{reader}.data.aws_secretsmanager_secret_version.{data_name}\n"
            f"  values = {{ secret_string = {_hcl(json.dumps(payload, sort_keys=True))} }}\n}}"
        )
    return lines


def run_mocked(
    terraform: OfflineTerraform,
    stack_dirs: dict[str, Path],
    producers: dict[tuple[str, str], str],
    producers_json: dict[str, dict[str, Any]] | None = None,
) -> MockRunReport:
    """Plan and apply ``stack_dirs`` (name -> synthesized stack directory) mocked.
    ``producers_json`` holds producing stacks that are not part of this run."""
    return run_mocked_outputs(terraform, {"": MockedOutput(stack_dirs, producers, producers_json)})


def run_mocked_outputs(terraform: OfflineTerraform, outputs: dict[str, MockedOutput]) -> MockRunReport:
    """Plan and apply the stacks of several outputs (label -> MockedOutput) mocked,
    in one Terraform run: the provider's schema loads once, not once per output.
    Each stack is the module ``<label>--<stack>`` (``<stack>`` for the label "").
    A problem names that module."""
    root = terraform.workroot / f"mocked-{len(list(terraform.workroot.glob('mocked-*')))}"
    root.mkdir()
    modules: dict[str, dict[str, Any]] = {}
    providers: dict[str, Any] = {}
    overrides: list[str] = []
    for label, output in outputs.items():
        prefix = f"{label}--" if label else ""
        stacks: dict[str, dict[str, Any]] = {}
        for name, directory in output.stack_dirs.items():
            module = prefix + name
            shutil.copytree(directory, root / module, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
            synthesized = json.loads((root / module / "cdk.tf.json").read_text())
            stacks[name] = synthesized  # as synthesized, for its outputs
            document, _ = offline_part(synthesized, terraform.available)  # what needs another provider is validated elsewhere
            document.get("terraform", {}).pop("backend", None)
            document.get("terraform", {}).pop("cloud", None)
            document.pop("provider", None)  # inherit the root's mocked provider
            providers.update(document.get("terraform", {}).get("required_providers", {}))
            (root / module / "cdk.tf.json").write_text(json.dumps(document, indent=1))  # short lines in messages
            modules[module] = synthesized
        overrides += override_blocks(stacks, output.producers, {**(output.producers_json or {}), **stacks}, prefix)
    root_module = {
        "terraform": {"required_providers": providers},
        "provider": {"aws": [{"region": REGION}]},
        "module": {module: {"source": f"./{module}"} for module in modules},
    }
    (root / "main.tf.json").write_text(json.dumps(root_module))
    (root / "lattice.tftest.hcl").write_text(test_file(modules, overrides))
    init = terraform.run(root, "init", "-backend=false", "-input=false", "-no-color")
    if init.returncode != 0:
        raise AssertionError(f"terraform init failed:\n{init.stdout}\n{init.stderr}")
    result = terraform.run(root, "test", "-json", "-no-color")
    problems: list[str] = []
    runs: dict[str, str] = {}
    for line in result.stdout.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("type") == "test_run" and message.get("test_run", {}).get("progress") == "complete":
            runs[message["test_run"]["run"]] = message["test_run"].get("status", "")
        diagnostic = message.get("diagnostic")
        if diagnostic and diagnostic.get("severity") == "error":
            address = diagnostic.get("address", "")
            stack = address.split(".")[1] if address.startswith("module.") else "(root)"
            problems.append(f"{stack}: {address}: {diagnostic.get('summary')}: {diagnostic.get('detail', '')}".strip())
    passed = result.returncode == 0 and not problems and set(runs.values()) == {"pass"}
    return MockRunReport(passed=passed, problems=problems, runs=runs, stdout=result.stdout)
