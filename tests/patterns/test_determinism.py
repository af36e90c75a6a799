"""The same config synthesizes byte-identical output, assets included."""
from __future__ import annotations

from pathlib import Path

from tests.helpers import synth


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_synths_are_byte_identical(default_config, default_out, tmp_path) -> None:
    (tmp_path / "again").mkdir()
    # the same folder name: the checkov config names its baseline by it
    again = tree(synth(default_config, tmp_path / "again" / default_out.name))
    first = tree(default_out)
    assert sorted(again) == sorted(first)
    different = [name for name in first if first[name] != again[name]]
    assert different == []
    assert any(name.endswith(".zip") for name in first), "the Lambda package is part of the output"


def test_every_lambda_package_a_function_names_is_in_the_output(default_out, default_stacks) -> None:
    """terraform validate does not open the files; a missing package fails only at plan
    (functions with equal packages once lost all but one to cdktf's asset staging)."""
    missing = [
        f"{stack}: {name}: {function['filename']}"
        for stack, document in default_stacks.items()
        for name, function in document.get("resource", {}).get("aws_lambda_function", {}).items()
        if not (default_out / "stacks" / stack / function["filename"]).is_file()
    ]
    assert missing == []
