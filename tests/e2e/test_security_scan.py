"""checkov over every synthesized stack: no failed check goes unexplained."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from constructs_lib.checkov import accept_risks
from tools.security_scan import scan, table


@pytest.fixture(scope="module")
def results(default_out):
    return scan(default_out)


def test_no_failed_check_goes_unexplained(results, default_stacks) -> None:
    assert sorted(results) == sorted(default_stacks)
    failures = [f"{stack}: {f.resource}: {f.check_id} {f.check_name}" for stack, r in results.items() for f in r.failed]
    assert failures == [], "\n".join(failures)
    print("\n" + table(results))  # shown with `pytest -s`: the per-stack counts


def test_every_suppression_has_a_reason_and_the_scan_ran(results) -> None:
    assert sum(r.passed for r in results.values()) > 100
    for result in results.values():
        assert all(len(f.reason) > 20 for f in result.suppressed), result.suppressed


def test_a_resource_without_its_suppression_fails(default_out, tmp_path) -> None:
    copy = tmp_path / "cdktf.out"
    shutil.copytree(default_out / "stacks" / "distributed-service-account", copy / "stacks" / "distributed-service-account")
    path = copy / "stacks" / "distributed-service-account" / "cdk.tf.json"
    stack = json.loads(path.read_text())
    del stack["resource"]["aws_lambda_function"]["lambdaservice_function"]["//"]["checkov"]
    path.write_text(json.dumps(stack, indent=2))
    failed = {(f.resource, f.check_id) for f in scan(copy)["distributed-service-account"].failed}
    assert ("resource.lambdaservice_function", "CKV_AWS_50") in failed


def test_accept_risks_needs_a_real_id_and_a_reason() -> None:
    with pytest.raises(ValueError, match="not a checkov AWS check id"):
        accept_risks(object(), [("XYZ_1", "because")])
    with pytest.raises(ValueError, match="one line without double quotes"):
        accept_risks(object(), [("CKV_AWS_50", " ")])


def plain_checkov(project: Path, outdir_name: str) -> dict:
    """``checkov -d <outdir>`` as a user's pipeline runs it, in the project folder."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "checkov.main", "-d", outdir_name, "-o", "json", "--compact"],
        cwd=project, capture_output=True, text=True, timeout=600,
    )
    reports = json.loads(proc.stdout)
    return {r["check_type"]: r for r in (reports if isinstance(reports, list) else [reports])}


def test_a_plain_checkov_run_agrees_with_the_scan(results, default_out) -> None:
    """The baseline written at synth holds exactly the accepted findings: a plain
    run reports none failed and each accepted one as skipped."""
    report = plain_checkov(default_out.parent, default_out.name)["terraform_json"]
    summary = report["summary"]
    accepted = sum(len(r.suppressed) for r in results.values())
    assert (summary["failed"], summary["skipped"]) == (0, accepted)
    skipped = {(c["file_path"].split("/")[2], c["resource"], c["check_id"]) for c in report["results"]["skipped_checks"]}
    assert skipped == {(stack, f.resource, f.check_id) for stack, r in results.items() for f in r.suppressed}


def test_the_baseline_hides_no_finding_nobody_accepted(default_out, tmp_path) -> None:
    """A resource that shares its name with an accepting one, without accepting, still fails the plain run."""
    from constructs_lib.checkov import write_scan_baseline

    copy = tmp_path / "cdktf.out"
    shutil.copytree(default_out, copy)
    path = copy / "stacks" / "ingress-service-account" / "cdk.tf.json"
    stack = json.loads(path.read_text())
    del stack["resource"]["aws_lambda_function"]["lambdaservice_function"]["//"]["checkov"]  # same name in distributed and centralized
    path.write_text(json.dumps(stack, indent=2))
    write_scan_baseline(copy, "cdktf.out")
    failed = {(c["file_path"].split("/")[2], c["resource"], c["check_id"]) for c in plain_checkov(tmp_path, "cdktf.out")["terraform_json"]["results"]["failed_checks"]}
    assert ("ingress-service-account", "resource.lambdaservice_function", "CKV_AWS_50") in failed
    assert ("distributed-service-account", "resource.lambdaservice_function", "CKV_AWS_50") in failed, "shared names leave the baseline"
