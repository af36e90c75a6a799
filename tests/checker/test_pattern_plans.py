"""A shipped pattern's stacks planned and applied by the real terraform against the
local AWS emulator (tools/aws_emulator.py), in deploy order: lattice_check answers
every row of the pattern's matrix from their state and plans exactly as from
cdktf.out. The stacks a later stack reads are applied (its plan reads their state);
the last is planned only. Patterns the emulator cannot run are listed in
docs/lattice_check.md with where they stop."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from constructs_lib.runtime.synth import deploy_order
from lattice_check.graph import Model
from lattice_check.matrix import load_matrix, run_matrix
from lattice_check.shown_values import PLAN, STATE
from lattice_check.terraform_show import Input
from tests.helpers import MATRIX_DIR
from tools.aws_emulator import emulator, plan_stacks

# the patterns run here (shared, the longest, runs in test_pattern_plans_shared.py: a
# file per pytest worker); docs/lattice_check.md says where the others stop
RUN_BY_THE_EMULATOR = ("distributed", "centralized", "ingress")


def _answers(model: Model, matrix: Path) -> list[tuple[object, ...]]:
    rows = run_matrix(model, load_matrix(matrix))
    # a denial's message names the service's ARN: a stand-in in cdktf.out, the real one in state
    return [(row.request.name, row.answer.decision, row.answer.status, re.sub(r"svc-[0-9a-f-]+", "svc-ID", row.answer.body)) for row in rows]


@pytest.mark.parametrize("pattern", RUN_BY_THE_EMULATOR)
def test_the_patterns_plans_and_state_answer_its_matrix_as_cdktf_out(pattern, default_out, terraform, tmp_path) -> None:
    assert_plans_answer_as_cdktf_out(pattern, default_out, terraform, tmp_path)


def assert_plans_answer_as_cdktf_out(pattern: str, default_out: Path, terraform: object, tmp_path: Path) -> None:
    stacks = [name for name in deploy_order(default_out) if name.startswith(f"{pattern}-")]
    with emulator() as url:
        deployed = plan_stacks(terraform, default_out, stacks, tmp_path, url)
    assert deployed.failed == {}
    manifest = json.loads((default_out / "manifest.json").read_text())
    read_by_others = {dependency for name in stacks for dependency in manifest["stacks"][name]["dependencies"]}
    assert set(deployed.plans) == set(stacks) and set(deployed.states) == read_by_others
    inputs = [Input(STATE, path, name) for name, path in deployed.states.items()]
    inputs += [Input(PLAN, path, name) for name, path in deployed.plans.items() if name not in deployed.states]
    from_terraform = Model.load(default_out, inputs)
    assert {name for name, stack in from_terraform.stacks.items() if stack.source != "cdktf"} == set(stacks)
    matrix = MATRIX_DIR / f"{pattern}.yaml"
    expected = _answers(Model.load(default_out), matrix)
    assert _answers(from_terraform, matrix) == expected
    assert {row[1] for row in expected} >= {"ALLOW"}
