"""tools.stack_order: the deploy order `make diff` walks."""
from __future__ import annotations

import json
from pathlib import Path

from tools.stack_order import deploy_order, main


def test_stacks_come_after_what_they_depend_on(tmp_path: Path) -> None:
    stacks = {
        "b-consumer": ["b-network"],
        "b-network": ["b-service"],
        "b-service": [],
        "a-consumer": ["a-service"],
        "a-service": [],
    }
    manifest = {"version": "0.21.0", "stacks": {name: {"dependencies": deps} for name, deps in stacks.items()}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert deploy_order(tmp_path) == ["a-service", "b-service", "a-consumer", "b-network", "b-consumer"]


def test_a_missing_output_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "synthesize first (make synth)" in err
