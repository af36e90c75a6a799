"""Shared fixtures. The whole suite runs in one process, so the AWS bindings (10-20 s
of jsii start-up) are imported once; the default app is synthesized once per session."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

# Before jsii starts its Node process: no end-of-life banner in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app_config import LatticeConfig, load_config, parse_config  # noqa: E402
from tools.terraform_offline import OfflineTerraform, TerraformUnavailable  # noqa: E402

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"
# Every stack the shipped lattice.toml synthesizes (a test checks the list is complete).
ALL_STACKS = [
    "distributed-service-account",
    "distributed-consumer-account",
    "centralized-service-account",
    "centralized-service-network-account",
    "centralized-consumer-account",
    "shared-common-account",
    "shared-blue-account",
    "shared-green-account",
]
ACCOUNTS = {"service": {"id": "111111111111"}, "consumer": {"id": "222222222222"}}


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
    return load_config(ROOT / "lattice.toml")


def make_config(**overrides: object) -> LatticeConfig:
    """A valid config with fake accounts, plus ``overrides`` merged at the top level."""
    raw: dict[str, object] = {"accounts": json.loads(json.dumps(ACCOUNTS))}
    raw.update(overrides)
    return parse_config(raw)


def synth(config: LatticeConfig, outdir: Path) -> Path:
    from main import build_app

    build_app(config, str(outdir)).synth()
    return outdir


def load_stacks(outdir: Path) -> dict[str, dict]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {
        name: json.loads((outdir / entry["synthesizedStackPath"]).read_text())
        for name, entry in manifest["stacks"].items()
    }


@pytest.fixture(scope="session")
def default_out(tmp_path_factory: pytest.TempPathFactory, default_config: LatticeConfig) -> Path:
    return synth(default_config, tmp_path_factory.mktemp("default") / "cdktf.out")


@pytest.fixture(scope="session")
def default_stacks(default_out: Path) -> dict[str, dict]:
    return load_stacks(default_out)


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
