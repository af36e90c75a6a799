"""The shared pattern's stacks through the emulator (test_pattern_plans.py says how):
its common account's ALB, Lambda and RAM shares applied, the tenants planned."""
from __future__ import annotations

from tests.checker.test_pattern_plans import assert_plans_answer_as_cdktf_out


def test_the_shared_patterns_plans_and_state_answer_its_matrix_as_cdktf_out(default_out, terraform, tmp_path) -> None:
    assert_plans_answer_as_cdktf_out("shared", default_out, terraform, tmp_path)
