"""Every unreadable input of lattice_check gets one line and exit status 2: the
output directory (HCL, not JSON), matrix paths, URLs, principals, methods."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lattice_check.__main__ import main
from tests.helpers import MATRIX_DIR

VPC1 = "distributed-consumer-account/vpc1"


def one_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


@pytest.fixture
def copy_of(default_out: Path, tmp_path: Path) -> Path:
    out = tmp_path / "cdktf.out"
    shutil.copytree(default_out, out)
    return out


def test_an_output_synthesized_as_hcl_says_what_to_run(copy_of: Path, capsys) -> None:
    for stack in (copy_of / "stacks").iterdir():
        (stack / "cdk.tf.json").rename(stack / "cdk.tf")
    assert main(["curl", "--out", str(copy_of), "--from", VPC1, "http://lambda-service/"]) == 2
    err = one_error(capsys)
    assert "was synthesized as HCL (cdk.tf); lattice_check reads Terraform JSON: synthesize with make synth (or python main.py)" in err


@pytest.mark.parametrize("broken", ["manifest.json", "stacks/distributed-service-account/cdk.tf.json"])
def test_files_that_are_not_json(copy_of: Path, broken: str, capsys) -> None:
    (copy_of / broken).write_text('{"stacks": ')
    assert main(["diagram", "--out", str(copy_of)]) == 2
    assert f"{broken}: not valid JSON (Expecting value, line 1 column 12)" in one_error(capsys)


def test_a_manifest_without_stacks(copy_of: Path, capsys) -> None:
    (copy_of / "manifest.json").write_text(json.dumps({"version": "0.21.0"}))
    assert main(["diagram", "--out", str(copy_of)]) == 2
    assert "manifest.json: not a cdktf manifest (no 'stacks' object)" in one_error(capsys)


def test_a_matrix_path_that_is_a_directory(default_out: Path, capsys) -> None:
    assert main(["matrix", "--out", str(default_out), str(MATRIX_DIR)]) == 2
    assert "matrices: is a directory: give a matrix file (YAML)" in one_error(capsys)


@pytest.mark.parametrize(
    "args, message",
    [
        (["http://lambda-service:99999/"], "URL 'http://lambda-service:99999/': Port out of range 0-65535"),
        (["http://lambda-service:port/"], "URL 'http://lambda-service:port/': Port could not be cast to integer value"),
        (["http://lambda-service:0/"], "port 0 is not a port (1-65535)"),
        (["http://[::1/"], "URL 'http://[::1/': Invalid IPv6 URL"),
        (["-X", "GE T", "http://lambda-service/"], "-X 'GE T': an HTTP method is a token"),
        (["-X", "", "http://lambda-service/"], "-X '': an HTTP method is a token"),
        (["-X", "GET\n", "http://lambda-service/"], "-X 'GET\\n': an HTTP method is a token"),
        (["--principal", "alice", "http://lambda-service/"], "--principal 'alice': give the caller's IAM ARN"),
        (["--principal", "arn:aws:s3:::bucket", "http://lambda-service/"], "--principal 'arn:aws:s3:::bucket': give the caller's IAM ARN"),
    ],
)
def test_bad_requests(default_out: Path, args: list[str], message: str, capsys) -> None:
    assert main(["curl", "--out", str(default_out), "--from", VPC1, *args]) == 2
    assert message in one_error(capsys)


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::222222222222:role/app",
        "arn:aws:sts::222222222222:assumed-role/app/session",
        "arn:aws:iam::222222222222:user/alice",
        "arn:aws:iam::222222222222:root",
    ],
)
def test_principals_that_are_arns_are_taken(default_out: Path, principal: str, capsys) -> None:
    assert main(["curl", "--out", str(default_out), "--from", VPC1, "--principal", principal, "http://lambda-service/"]) == 0
    assert capsys.readouterr().out.splitlines()[-2] == "< ALLOW 200"


# verify and diff read a topology in the project's own format: its one reading (the
# schema, the stack plan, the grants; no cdktf) lives with the pattern that builds it.
TOPOLOGY_READING = {"verify.py": {"accounts.topology.config", "accounts.topology.grants"}}


def test_lattice_check_stands_alone() -> None:
    """It imports nothing from the rest of the project (but a topology's reading, for
    verify and diff): it works on any Terraform JSON."""
    import ast

    from tests.helpers import ROOT

    project = {"constructs_lib", "app_config", "accounts", "tools", "main", "examples", "tests"}
    for path in sorted((ROOT / "lattice_check").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            allowed = TOPOLOGY_READING.get(path.name, set())
            assert not [n for n in names if n.split(".")[0] in project and n not in allowed], f"{path.name} imports {names}"


def test_lattice_check_loads_no_cdktf_even_for_a_topology() -> None:
    import subprocess
    import sys

    from tests.helpers import ROOT

    code = "import sys, lattice_check.__main__, lattice_check.verify; print(sorted(m for m in sys.modules if m.split('.')[0] in ('cdktf', 'jsii', 'constructs', 'cdktf_cdktf_provider_aws')))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--via", "ingress-edge-account/ingress-edge", "--from-cidr", "172.16.5.1/16"], "--from-cidr '172.16.5.1/16': give an IPv4 address or CIDR with no host bits set"),
        (["--via", "ingress-edge-account/ingress-edge", "--from-cidr", "somewhere"], "--from-cidr 'somewhere': give an IPv4 address or CIDR"),
        (["--via", "ingress-edge-account/nowhere", "--from-cidr", "172.16.5.10"], "--via 'ingress-edge-account/nowhere': ingress-edge-account has no VPC named 'nowhere'"),
        (["--via", "ingress-edge-account/ingress-edge"], "--from-cidr and --via go together"),
        (["--from", VPC1, "--from-cidr", "172.16.5.10"], "--from-cidr and --via go together"),
    ],
)
def test_bad_client_addresses(default_out: Path, args: list[str], message: str, capsys) -> None:
    assert main(["curl", "--out", str(default_out), *args, "http://hello.lattice-ingress.internal/"]) == 2
    assert message in one_error(capsys)


def test_a_state_file_that_is_not_json_is_bad_input(default_out: Path, tmp_path: Path, capsys) -> None:
    state = tmp_path / "orders.json"
    state.write_text("{not json")
    assert main(["curl", "--out", str(default_out), "--from", VPC1, "--state", str(state), "http://lambda-service/"]) == 2
    assert f"--state {state}: not a state file lattice_check wrote" in one_error(capsys)
