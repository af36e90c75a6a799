"""Shared fixtures. ``make test`` runs the suite in a process per core (pytest-xdist,
a test file per worker): in each, the AWS bindings load once and the default app
and the example topologies are synthesized once, when a test first needs them."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# cdktf's Testing.synth leaves a cdktf.outdir.* per call in Node's temporary
# directory (~110 a run): Node, started later, gets a scratch one, removed at exit.
# Python's own temporary files stay where they were (tempfile chose its directory already).
from tools.node_scratch import use_node_scratch  # noqa: E402

use_node_scratch("lattice-tests-node-")

# Before jsii starts its Node process, here and in every process a test starts: the
# project's Node (constructs_lib/runtime/node_runtime.py), not an older one of the machine.
from constructs_lib.runtime.node_runtime import use_project_node  # noqa: E402

use_project_node()

from app_config.loader import load_config  # noqa: E402
from app_config.schema import LatticeConfig  # noqa: E402
from lattice_model.project import SHIPPED_CONFIG  # noqa: E402
from tests.helpers import TOPOLOGY_EXAMPLES, load_stacks, synth, topology_example_config  # noqa: E402
from tools.terraform_offline import OfflineTerraform, TerraformUnavailable  # noqa: E402

# Fixtures that synthesize the whole default app or the example topologies.
SYNTH_FIXTURES = {"default_out", "default_stacks", "default_manifest", "topology_outputs", "default_model", "model", "outputs", "across"}
LAYERS = ("unit", "checker", "patterns", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Markers by layer (the test's folder) and by cost: ``terraform`` for a test
    that runs it, ``synth`` for one that needs a synth of the whole app, ``slow``
    for either or an e2e test (``make test-fast`` runs ``-m "not slow"``)."""
    for item in items:
        layer = next((part for part in item.path.parts if part in LAYERS), None)
        if layer is not None:
            item.add_marker(getattr(pytest.mark, layer))
        fixtures = set(getattr(item, "fixturenames", ()))
        if "terraform" in fixtures:
            item.add_marker(pytest.mark.terraform)
        if fixtures & SYNTH_FIXTURES:
            item.add_marker(pytest.mark.synth)
        if layer == "e2e" or fixtures & (SYNTH_FIXTURES | {"terraform"}):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=os.environ.get("UPDATE_SNAPSHOTS") == "1",
        help="rewrite tests/snapshots/ from the current synth instead of comparing",
    )


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.fixture(scope="session")
def default_config() -> LatticeConfig:
    return load_config(SHIPPED_CONFIG)


@pytest.fixture(scope="session")
def default_out(tmp_path_factory: pytest.TempPathFactory, default_config: LatticeConfig) -> Path:
    return synth(default_config, tmp_path_factory.mktemp("default") / "cdktf.out")


@pytest.fixture(scope="session")
def default_stacks(default_out: Path) -> dict[str, dict]:
    return load_stacks(default_out)


@pytest.fixture(scope="session")
def topology_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each shipped example topology (examples/topologies/), synthesized once."""
    return {
        path.stem: synth(topology_example_config(path.stem), tmp_path_factory.mktemp(f"topology-{path.stem}") / "cdktf.out")
        for path in sorted(TOPOLOGY_EXAMPLES.glob("*.toml"))
    }


@pytest.fixture(scope="session")
def default_manifest(default_out: Path) -> dict:
    return json.loads((default_out / "manifest.json").read_text())


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> OfflineTerraform:
    """Offline terraform. Under CI=true a missing terraform or provider fails the run."""
    try:
        return OfflineTerraform(tmp_path_factory.mktemp("terraform"))
    except TerraformUnavailable as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and terraform cannot run offline: {missing}")
        pytest.skip(f"terraform cannot run offline here: {missing}")
