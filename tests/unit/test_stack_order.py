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


def test_a_synth_says_what_it_wrote(tmp_path: Path) -> None:
    """make synth once ended silently: it says the stacks, resources, where, the order and what next."""
    from constructs_lib.runtime.synth import summarize

    (tmp_path / "stacks" / "a").mkdir(parents=True)
    (tmp_path / "stacks" / "b").mkdir(parents=True)
    (tmp_path / "stacks" / "a" / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_vpc": {"x": {}, "y": {}}}}))
    (tmp_path / "stacks" / "b" / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_subnet": {"z": {}}}}))
    manifest = {"version": "0.21.0", "stacks": {
        "b": {"dependencies": ["a"], "synthesizedStackPath": "stacks/b/cdk.tf.json"},
        "a": {"dependencies": [], "synthesizedStackPath": "stacks/a/cdk.tf.json"},
    }}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    lines = summarize(tmp_path).lines(2.04)
    assert lines[0] == f"synthesized 2 stacks (3 resources) into {tmp_path} in 2.0 s"
    assert lines[1] == "deploy order: a, b"
    assert lines[2].startswith("next: npx cdktf diff <stack>")
