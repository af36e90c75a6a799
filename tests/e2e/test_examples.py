"""Every example app under examples/ synthesizes and passes `terraform validate`."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from tests.helpers import ROOT, forward_problems
from tools.terraform_offline import describe_diagnostics

EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py") if not p.stem.startswith("_"))


def test_there_is_an_example_per_feature_group() -> None:
    assert EXAMPLES == ["auth_policies", "listeners_and_rules", "service", "service_network", "target_groups", "vpc_resources"]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """example -> stack name -> its synthesized directory."""
    found: dict[str, dict[str, Path]] = {}
    for name in EXAMPLES:
        outdir = tmp_path_factory.mktemp(name)
        importlib.import_module(f"examples.{name}").build(str(outdir)).synth()
        manifest = json.loads((outdir / "manifest.json").read_text())
        found[name] = {stack: outdir / entry["workingDirectory"] for stack, entry in manifest["stacks"].items()}
    return found


@pytest.fixture(scope="module")
def reports(synthesized, terraform) -> dict[str, dict]:
    return terraform.validate_many({stack: path for stacks in synthesized.values() for stack, path in stacks.items()})


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_synthesizes_and_validates(name: str, synthesized, reports) -> None:
    assert synthesized[name], f"{name} synthesized no stack"
    for stack_name, directory in synthesized[name].items():
        stack = json.loads((directory / "cdk.tf.json").read_text())
        assert forward_problems(stack) == [], stack_name
        report = reports[stack_name]
        assert report["valid"], f"{stack_name}:\n{describe_diagnostics(report)}"
