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
    assert "was synthesized as HCL (cdk.tf, by make synth-hcl or cdktf synth --hcl); lattice_check reads Terraform JSON: run make synth (or python main.py) first" in err


def test_an_output_of_make_synth_hcl_says_what_to_run(copy_of: Path, capsys) -> None:
    """cdktf synth --hcl lists cdk.tf in the manifest (not cdk.tf.json): not 'not valid JSON'."""
    manifest = json.loads((copy_of / "manifest.json").read_text())
    for entry in manifest["stacks"].values():
        document = copy_of / entry["synthesizedStackPath"]
        entry["synthesizedStackPath"] = entry["synthesizedStackPath"].replace("cdk.tf.json", "cdk.tf")
        document.rename(document.with_name("cdk.tf"))
        document.with_name("cdk.tf").write_text('resource "aws_vpc" "x" {}\n')
    (copy_of / "manifest.json").write_text(json.dumps(manifest))
    assert main(["diagram", "--out", str(copy_of)]) == 2
    assert "was synthesized as HCL" in one_error(capsys)


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
TOPOLOGY_READING: dict[str, set[str]] = {}  # verify reads topologies through lattice_model, like every other module


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
    assert f"--state {state}: exists and lattice-cdktf did not write it (or it was changed since): it is not overwritten unless you add --force" in one_error(capsys)
    assert state.read_text() == "{not json"


def test_a_state_file_is_written_again_only_while_it_is_ours(default_out: Path, tmp_path: Path, capsys) -> None:
    state = tmp_path / "orders.json"
    assert main(["curl", "--out", str(default_out), "--from", VPC1, "--state", str(state), "http://lambda-service/"]) == 0
    assert not state.exists() or state.read_text().startswith('{\n "written_by": "written by lattice-cdktf (lattice_check curl --state)')
    state.write_text('{"dynamodb": {}}\n')  # someone else's file now
    assert main(["curl", "--out", str(default_out), "--from", VPC1, "--state", str(state), "http://lambda-service/"]) == 2
    capsys.readouterr()
    assert main(["curl", "--out", str(default_out), "--from", VPC1, "--state", str(state), "--force", "http://lambda-service/"]) == 0


@pytest.mark.parametrize(
    "entry, message",
    [
        ("not an object", "stacks.one: not an object"),
        ({"synthesizedStackPath": "stacks/one/cdk.tf.json"}, "stacks.one.workingDirectory: missing: a path inside"),
        ({"workingDirectory": "stacks/one", "synthesizedStackPath": "/etc/passwd"}, "stacks.one.synthesizedStackPath: '/etc/passwd': a path inside"),
        ({"workingDirectory": "../..", "synthesizedStackPath": "stacks/one/cdk.tf.json"}, "stacks.one.workingDirectory: '../..': a path inside"),
    ],
)
def test_a_manifest_whose_stacks_are_not_cdktf_shaped(tmp_path: Path, entry: object, message: str, capsys) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "0.21.0", "stacks": {"one": entry}}))
    assert main(["diagram", "--out", str(tmp_path)]) == 2
    assert message in one_error(capsys)


def test_diagram_svg_never_overwrites_an_input_or_a_file_it_did_not_write(default_out: Path, tmp_path: Path, capsys) -> None:
    import subprocess

    from tests.helpers import ROOT, git_repository

    config = tmp_path / "lattice.toml"
    config.write_text((ROOT / "examples" / "lattice.toml").read_text())
    assert main(["diagram", "--out", str(default_out), "--svg", str(config)]) == 2
    assert "exists and lattice-cdktf did not write it" in one_error(capsys)
    assert config.read_text() == (ROOT / "examples" / "lattice.toml").read_text()
    manifest = default_out / "manifest.json"
    before = manifest.read_bytes()
    assert main(["diagram", "--out", str(default_out), "--svg", str(manifest), "--force"]) == 2
    assert "is an input of this command" in one_error(capsys)
    assert manifest.read_bytes() == before
    assert main(["diagram", "--out", str(default_out), "--svg", str(tmp_path)]) == 2
    assert "is a directory, not a regular file" in one_error(capsys)
    assert main(["diagram", "--out", str(default_out), "--svg", str(tmp_path / "no" / "such" / "d.svg")]) == 2
    assert "its folder" in one_error(capsys)
    # its own file, again and again; then a tracked copy only with --force
    svg = tmp_path / "repo" / "d.svg"
    svg.parent.mkdir()
    for _ in range(2):
        assert main(["diagram", "--out", str(default_out), "--svg", str(svg)]) == 0
    capsys.readouterr()
    git_repository(svg.parent)
    assert main(["diagram", "--out", str(default_out), "--svg", str(svg)]) == 2
    assert "is a file git tracks" in one_error(capsys)
    assert main(["diagram", "--out", str(default_out), "--svg", str(svg), "--force"]) == 0
    del subprocess


def test_output_to_a_closed_pipe_ends_quietly(default_out: Path) -> None:
    import subprocess
    import sys

    from tests.helpers import ROOT

    result = subprocess.run(
        f"{sys.executable} -m lattice_check predict --out {default_out} | head -c 300 >/dev/null; echo ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.stderr == ""
    assert result.stdout.strip() in ("0", "141")


def test_a_matrix_alias_bomb_and_a_fifo_are_one_line(default_out: Path, tmp_path: Path, capsys) -> None:
    import os

    from tests.unit.test_safe_io import ALIAS_BOMB

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    assert main(["matrix", "--out", str(default_out), str(bomb)]) == 2
    assert "stands for more than 200,000 values once its YAML aliases are expanded" in one_error(capsys)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for args in (["matrix", "--out", str(default_out), str(fifo)], ["curl", "--out", str(default_out), "--from", VPC1, "--state", str(fifo), "http://lambda-service/"],
                 ["verify", "--out", str(default_out), str(fifo)], ["matrix", "--out", str(default_out), "/dev/zero"]):
        assert main(args) == 2
        assert "not a regular file" in one_error(capsys)
