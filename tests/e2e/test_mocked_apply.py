"""Every synthesized stack plans and applies against a mocked AWS provider (the
provider's own argument validation runs on ARN- and id-shaped mock values), with
remote state overridden by the producing stack's mocked outputs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lattice_check.backends import remote_state_producers
from tests.helpers import ALL_STACKS
from tools.mock_apply import mocked_output, run_mocked


def stack_dirs(out: Path) -> dict[str, Path]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {name: out / entry["workingDirectory"] for name, entry in manifest["stacks"].items()}


@pytest.fixture(scope="module")
def report(default_out, default_stacks, terraform):
    return run_mocked(terraform, stack_dirs(default_out), remote_state_producers(default_stacks))


def test_every_stack_plans_and_applies(report, default_stacks) -> None:
    assert sorted(default_stacks) == sorted(ALL_STACKS), "a new stack is covered automatically"
    assert report.problems == [], "\n".join(report.problems)
    assert report.runs == {"plan": "pass", "apply": "pass"}
    assert report.passed


def test_every_remote_state_is_overridden_from_its_producer(default_stacks) -> None:
    producers = remote_state_producers(default_stacks)
    readers = {(name, data) for name, stack in default_stacks.items() for data in stack.get("data", {}).get("terraform_remote_state", {})}
    assert set(producers) == readers
    outputs = mocked_output(default_stacks["distributed-service-account"]["output"]["service_arns"]["value"])
    assert outputs == {"lambdaservice": "arn:aws:vpc-lattice:eu-west-1:111111111111:service/svc-0123456789abcdef0"}


@pytest.fixture(scope="module")
def broken_run(default_out, default_stacks, terraform, tmp_path_factory):
    """Two variants through the harness of the pattern tests (one validate, one
    mocked run): the distributed stacks with an invalid ARN, and intact."""
    from tests.helpers import validate_and_apply

    broken = tmp_path_factory.mktemp("broken") / "cdktf.out"
    shutil.copytree(default_out, broken)
    path = broken / "stacks" / "distributed-consumer-account" / "cdk.tf.json"
    stack = json.loads(path.read_text())
    stack["resource"]["aws_vpclattice_auth_policy"]["vpc1-service-network_auth-policy"]["resource_identifier"] = "not-an-arn"
    path.write_text(json.dumps(stack))
    return validate_and_apply(terraform, {"broken": broken, "intact": default_out}, only=lambda name: name.startswith("distributed-"))


def test_a_failure_names_the_stack_and_the_resource(broken_run) -> None:
    """An invalid ARN reaching the provider is caught (by validate and at plan), and
    reported by variant and stack; the intact variant beside it in the same runs has
    no problem, yet is not called clean: the run it shares failed."""
    problems = broken_run.problems["broken"]
    assert any(
        p.startswith(
            "broken--distributed-consumer-account: module.broken--distributed-consumer-account.aws_vpclattice_auth_policy."
            "vpc1-service-network_auth-policy:"
        )
        and "invalid ARN" in p
        for p in problems
    ), problems
    assert any(p.startswith("broken--distributed-consumer-account:\n") and "invalid ARN" in p for p in problems), "validate's own diagnostic"
    assert broken_run.problems["intact"] == []
    with pytest.raises(AssertionError, match="the run of all variants failed"):
        broken_run.assert_clean("intact")


def test_a_region_with_fewer_zones_than_number_azs_fails_the_plan_naming_the_field(tmp_path, terraform) -> None:
    """The config cannot know a region's zones; the plan can. The mocked region has 3
    (a, b, c): four zones for vpc1 stop the plan with the field's name, before element()
    would wrap and put two subnets of a tier in one zone."""
    from tests.helpers import load_stacks, make_config, synth

    config = make_config(vpcs={"vpc1": {"cidr_block": "10.0.0.0/24", "number_azs": 4, "workload_subnet_netmask": 28, "endpoints_subnet_netmask": 28}})
    out = synth(config, tmp_path / "cdktf.out")
    stacks = load_stacks(out)
    names = ["distributed-service-account", "distributed-consumer-account"]
    result = run_mocked(terraform, {n: out / "stacks" / n for n in names}, remote_state_producers({n: stacks[n] for n in names}))
    assert not result.passed
    assert any(
        "vpcs.vpc1.number_azs = 4: eu-west-1 has only 3 available zones among eu-west-1a to eu-west-1f; lower it" in " ".join(p.split())
        for p in result.problems
    ), result.problems
