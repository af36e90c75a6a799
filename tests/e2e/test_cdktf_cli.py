"""The pinned cdktf CLI (package.json) synthesizes the app: JSON identical to the
in-process synth, and HCL that passes `terraform validate` offline."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from lattice_model.project import SHIPPED_CONFIG
from tests.helpers import ROOT
from tools.terraform_offline import describe_diagnostics

CLI = ROOT / "node_modules" / ".bin" / "cdktf"


def cdktf(*args: str) -> subprocess.CompletedProcess[str]:
    if not CLI.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and the pinned cdktf CLI is not installed (run `make install`)")
        pytest.skip("the pinned cdktf CLI is not installed (run `make install`)")
    # TF_CLI_CONFIG_FILE: the CLI runs `terraform version`; an empty config keeps a
    # missing user config file from filling the output with warnings.
    # as from a user's shell: without the suite's JSII_NODE and NODE_OPTIONS (the app sets its own)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_") and k != "NODE_OPTIONS"}
    env.update(CHECKPOINT_DISABLE="1", CI="true", FORCE_COLOR="0", TF_CLI_CONFIG_FILE=os.devnull, LATTICE_CONFIG=str(SHIPPED_CONFIG))
    env["PATH"] = f"{CLI.parent}{os.pathsep}{env['PATH']}"  # as npx runs it: the project's Node first
    return subprocess.run([str(CLI), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def project_outdir():
    """An output directory beside the default cdktf.out (local state paths are
    relative to it), removed afterwards; git ignores `.cdktf.out.*/`."""
    outdir = ROOT / f".cdktf.out.cli-test-{os.getpid()}"
    yield outdir
    shutil.rmtree(outdir, ignore_errors=True)


def test_cdktf_synth_matches_the_in_process_synth(default_out, project_outdir) -> None:
    result = cdktf("synth", "--output", str(project_outdir))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for stack_file in sorted((default_out / "stacks").glob("*/cdk.tf.json")):
        cli_file = project_outdir / "stacks" / stack_file.parent.name / "cdk.tf.json"
        assert cli_file.read_bytes() == stack_file.read_bytes(), stack_file.parent.name


def test_cdktf_synth_hcl_validates(default_stacks, terraform, tmp_path) -> None:
    result = cdktf("synth", "--hcl", "--output", str(tmp_path / "hcl"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    stacks = {p.name: p for p in sorted((tmp_path / "hcl" / "stacks").iterdir()) if (p / "cdk.tf").exists()}
    assert sorted(stacks) == sorted(default_stacks)
    offline = {n: p for n, p in stacks.items() if set(default_stacks[n]["terraform"]["required_providers"]) <= terraform.available}
    reports = terraform.validate_many(offline)
    for name, report in reports.items():
        assert report["valid"], f"{name}:\n{describe_diagnostics(report)}"
    for name in sorted(set(stacks) - set(offline)):  # providers not on this machine: Terraform parses the HCL
        parsed = terraform.run(stacks[name], "fmt", "-check", "-diff=false", "-list=false", "-no-color", "cdk.tf")
        assert "Error" not in parsed.stderr, f"{name}: cdk.tf is not valid HCL:\n{parsed.stderr}"
