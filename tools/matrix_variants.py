"""Matrix files and the configs they run on.

A matrix named ``<pattern>.yaml`` runs on the shipped config's output
(examples/lattice.toml); one named ``<pattern>-<variant>.yaml`` runs on the shipped
config with the settings below changed (the suite and ``make matrix`` both read
this table).

    python -m tools.matrix_variants   # make matrix: synthesize the shipped config and
                                      # each variant into scratch space under .build/,
                                      # run every matrix, remove the scratch space

A run killed before it could remove its scratch space leaves it marked with its
process id: the next run (and make clean) removes it.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from app_config.loader import load_config, parse_config
from app_config.schema import LatticeConfig
from lattice_model.project import SHIPPED_CONFIG
from safe_io import cli
from safe_io.inputs import CONFIG_LIMIT, read_text
from safe_io.ownership import make_scratch, remove_stale_scratch
from safe_io.structured import parse_toml

ROOT = Path(__file__).resolve().parents[1]
MATRIX_DIR = ROOT / "tests" / "matrices"

# matrix file stem -> the settings of its pattern that differ from lattice.toml
VARIANTS: dict[str, dict[str, Any]] = {
    "microservices-lattice": {"transport": "lattice"},
    "multicluster-accounts": {"accounts": {"cluster2": {"id": "121212121212"}}},
    "ingress-vpn": {
        "vpn": {"customer_gateway_ip": "203.0.113.10", "bgp_asn": 65000},
        "certificate_arn": "arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    },
}


def variant_config(stem: str, config_file: Path = SHIPPED_CONFIG) -> LatticeConfig:
    """The shipped config with the settings of ``stem``'s variant changed."""
    return config_with(stem.split("-")[0], VARIANTS.get(stem, {}), config_file)


def config_with(pattern: str, changes: dict[str, Any], config_file: Path = SHIPPED_CONFIG) -> LatticeConfig:
    """The shipped config with ``changes`` to the settings of ``pattern``."""
    raw = parse_toml(read_text(config_file, limit=CONFIG_LIMIT), config_file)
    raw["patterns"][pattern].update(changes)
    return parse_config(raw, f"{config_file} with {pattern} {changes}")


def shipped_matrices() -> list[Path]:
    """The matrix files that run on the shipped config's output, by name."""
    return [path for path in sorted(MATRIX_DIR.glob("*.yaml")) if path.stem not in VARIANTS]


SCRATCH_PREFIX = "matrix-"


def main(argv: list[str]) -> int:
    from lattice_check.__main__ import main as lattice_check
    from main import build_app

    from .clean import build_dir

    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    build = build_dir()
    remove_stale_scratch(build, SCRATCH_PREFIX)
    scratch = make_scratch(build, SCRATCH_PREFIX, what="make matrix")
    status = 0
    try:
        configs = {"shipped": load_config(SHIPPED_CONFIG), **{stem: variant_config(stem) for stem in VARIANTS}}
        for name, config in configs.items():
            outdir = scratch / name / "cdktf.out"
            outdir.parent.mkdir(parents=True)
            build_app(config, str(outdir), project_root=outdir.parent).synth()
            files = shipped_matrices() if name == "shipped" else [MATRIX_DIR / f"{name}.yaml"]
            for path in files:
                status = max(status, lattice_check(["matrix", "--out", str(outdir), str(path)]))
                print()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return status


if __name__ == "__main__":
    cli.run(lambda: main(sys.argv[1:]), name="make matrix", interrupted="interrupted: its scratch space is removed")
