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
    """make synth once ended silently: it says the stacks, resources, where, the
    order in waves (a wide wave cut to a count) and what next."""
    from constructs_lib.runtime.synth import WAVE_NAMES_SHOWN, summarize

    consumers = [f"c{number:02}" for number in range(WAVE_NAMES_SHOWN + 2)]
    stacks = {"net": [], "svc": ["net"], **{name: ["svc"] for name in consumers}}
    for name in stacks:
        (tmp_path / "stacks" / name).mkdir(parents=True)
        resources = {"aws_vpc": {"x": {}, "y": {}}} if name == "net" else {"aws_subnet": {"z": {}}}
        (tmp_path / "stacks" / name / "cdk.tf.json").write_text(json.dumps({"resource": resources}))
    manifest = {"version": "0.21.0", "stacks": {
        name: {"dependencies": needs, "synthesizedStackPath": f"stacks/{name}/cdk.tf.json"} for name, needs in reversed(stacks.items())
    }}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    lines = summarize(tmp_path).lines(2.04)
    total = len(stacks)
    assert lines[0] == f"synthesized {total} stacks ({total + 1} resources) into {tmp_path} in 2.0 s"
    assert lines[1].startswith("deploy order, 3 waves") and f"tools.stack_order {tmp_path}" in lines[1]
    assert lines[2:4] == ["  1. net", "  2. svc"]
    assert lines[4] == "  3. " + ", ".join(consumers[:WAVE_NAMES_SHOWN]) + " and 2 more"
    assert lines[5].startswith("next: npx cdktf diff <stack>")
    assert len(lines) == 6
