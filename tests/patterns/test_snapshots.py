"""Each stack's synthesized JSON against its committed snapshot.

On a difference the failure shows a unified diff. After an intended change, rewrite
the snapshots with ``make snapshots`` (``pytest --update-snapshots``) and review the
diff in git before committing.
"""
from __future__ import annotations

import difflib
import json

import pytest

from tests.helpers import ALL_STACKS, SNAPSHOT_DIR

STACKS = ALL_STACKS


def render(stack: dict) -> str:
    return json.dumps(stack, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", STACKS)
def test_stack_matches_snapshot(name: str, default_stacks: dict, update_snapshots: bool) -> None:
    actual = render(default_stacks[name])
    path = SNAPSHOT_DIR / f"{name}.json"
    if update_snapshots:
        SNAPSHOT_DIR.mkdir(exist_ok=True)
        path.write_text(actual)
        return
    assert path.exists(), f"no snapshot for {name}: run `make snapshots` and commit {path.name}"
    expected = path.read_text()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"snapshots/{name}.json (committed)",
                tofile=f"{name} (synthesized now)",
                n=2,
            )
        )
        pytest.fail(f"{name} differs from its snapshot (update with `make snapshots`):\n{diff}", pytrace=False)


def test_every_synthesized_stack_has_a_snapshot_test(default_stacks: dict) -> None:
    assert sorted(default_stacks) == sorted(STACKS)
