"""Matrix files that need the app synthesized with a pattern's settings changed.

A matrix named ``<pattern>.yaml`` runs on the shipped lattice.toml's output; one
named ``<pattern>-<variant>.yaml`` runs on the shipped config with the settings
below changed (the suite and ``make matrix`` both read this table).

    python -m tools.matrix_variants [OUTDIR]   # synthesize each variant under OUTDIR
                                               # (default .cdktf.out.variants) and run its matrix
    python -m tools.matrix_variants --shipped cdktf.out [OUTDIR]
                                               # first every other matrix against cdktf.out
                                               # (make matrix: every matrix, one process)
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from app_config.loader import DEFAULT_CONFIG_FILE, parse_config
from app_config.schema import LatticeConfig

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


def variant_config(stem: str, config_file: Path = ROOT / DEFAULT_CONFIG_FILE) -> LatticeConfig:
    """The shipped config with the settings of ``stem``'s variant changed."""
    return config_with(stem.split("-")[0], VARIANTS.get(stem, {}), config_file)


def config_with(pattern: str, changes: dict[str, Any], config_file: Path = ROOT / DEFAULT_CONFIG_FILE) -> LatticeConfig:
    """The shipped config with ``changes`` to the settings of ``pattern``."""
    raw = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
    raw["patterns"][pattern].update(changes)
    return parse_config(raw, f"{config_file} with {pattern} {changes}")


def shipped_matrices() -> list[Path]:
    """The matrix files that run on the shipped config's output, by name."""
    return [path for path in sorted(MATRIX_DIR.glob("*.yaml")) if path.stem not in VARIANTS]


def main(argv: list[str]) -> int:
    from lattice_check.__main__ import main as lattice_check

    status = 0
    if argv[:1] == ["--shipped"]:
        if len(argv) < 2:
            print("--shipped needs the shipped config's output directory, e.g. --shipped cdktf.out", file=sys.stderr)
            return 2
        for path in shipped_matrices():
            status = max(status, lattice_check(["matrix", "--out", argv[1], str(path)]))
            print()
        argv = argv[2:]
    from main import build_app

    root = Path(argv[0]) if argv else Path(".cdktf.out.variants")
    for stem in VARIANTS:
        outdir = (root / stem / "cdktf.out").resolve()
        outdir.parent.mkdir(parents=True, exist_ok=True)
        build_app(variant_config(stem), str(outdir), project_root=outdir.parent).synth()
        status = max(status, lattice_check(["matrix", "--out", str(outdir), str(MATRIX_DIR / f"{stem}.yaml")]))
        print()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
