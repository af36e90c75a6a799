"""The same config synthesizes byte-identical output, assets included."""
from __future__ import annotations

from pathlib import Path

from tests.helpers import synth


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_synths_are_byte_identical(default_config, default_out, tmp_path) -> None:
    again = tree(synth(default_config, tmp_path / "again"))
    first = tree(default_out)
    assert sorted(again) == sorted(first)
    different = [name for name in first if first[name] != again[name]]
    assert different == []
    assert any(name.endswith(".zip") for name in first), "the Lambda package is part of the output"
