"""checkov over every synthesized stack: no failed check goes unexplained."""
from __future__ import annotations

import json
import shutil

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
