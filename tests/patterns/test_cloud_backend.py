"""The HCP Terraform backend (`backend.type = "cloud"`): one workspace per stack in a
`cloud` block, cross-stack ids read from the producer's workspace through the
`remote` backend; validated, mock-applied and followed by lattice_check like the
local and S3 backends."""
from __future__ import annotations

from pathlib import Path

import pytest

from app_config.loader import ConfigError
from lattice_check.__main__ import main as lattice_check
from lattice_check.backends import remote_state_producers
from tests.helpers import assert_variants_validate_and_apply, data_sources, load_stacks, make_config, synth

CLOUD = {"type": "cloud", "organization": "acme-network", "workspace_prefix": "lattice-", "project": "networking"}
SERVICE, CONSUMER = "distributed-service-account", "distributed-consumer-account"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return synth(make_config(backend=CLOUD), tmp_path_factory.mktemp("cloud") / "cdktf.out")


def test_each_stack_is_a_workspace_and_readers_read_it(out) -> None:
    stacks = load_stacks(out)
    for name, stack in stacks.items():
        assert "backend" not in stack["terraform"]
        assert stack["terraform"]["cloud"] == {
            "hostname": "app.terraform.io", "organization": "acme-network", "workspaces": {"name": f"lattice-{name}", "project": "networking"},
        }
    remote = data_sources(stacks[CONSUMER], "terraform_remote_state")[SERVICE]
    assert remote == {
        "backend": "remote",
        "config": {"hostname": "app.terraform.io", "organization": "acme-network", "workspaces": {"name": f"lattice-{SERVICE}"}},
    }
    assert remote_state_producers(stacks) == {(CONSUMER, SERVICE): SERVICE}


def test_validates_and_applies_against_mocks(out, terraform) -> None:
    assert_variants_validate_and_apply(terraform, {"cloud": out})


def test_lattice_check_follows_the_workspaces(out, capsys) -> None:
    assert lattice_check(["curl", "--out", str(out), "--from", f"{CONSUMER}/vpc1", "http://lambda-service/"]) == 0
    printed = capsys.readouterr().out
    assert f"{CONSUMER} reads the remote state of {SERVICE}" in printed and '"Hello from Lambda!"' in printed


@pytest.mark.parametrize(
    "backend, expected",
    [
        ({"type": "cloud"}, "backend.organization: required but missing"),
        ({"type": "cloud", "organization": "acme network"}, "an HCP Terraform organization name is letters, digits, - and _"),
        ({"type": "cloud", "organization": "acme", "hostname": "https://tfe.example.com"}, "a host name such as app.terraform.io"),
        ({"type": "cloud", "organization": "acme", "workspace_prefix": "x" * 70}, "would be 'xxxxxxxx"),
    ],
)
def test_bad_cloud_settings_name_the_field(backend: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        make_config(backend=backend)
    assert expected in str(refused.value)
