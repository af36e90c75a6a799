"""Each stack's synthesized JSON against its committed snapshot.

On a difference the failure shows a unified diff. After an intended change, rewrite
the snapshots with ``make snapshots`` (``pytest --update-snapshots``) and review the
diff in git before committing.
"""
from __future__ import annotations

import difflib
import json

import pytest

from lattice_model.topology.plan import planned_stacks
from lattice_model.topology.schema import TopologySettings
from tests.helpers import ALL_STACKS, SNAPSHOT_DIR, TOPOLOGY_EXAMPLES, topology_example_config

STACKS = ALL_STACKS


def _topology_stacks() -> list[tuple[str, str]]:
    """(example, stack) for every stack of every shipped example topology."""
    found = []
    for path in sorted(TOPOLOGY_EXAMPLES.glob("*.toml")):
        settings = topology_example_config(path.stem).patterns.topology
        assert isinstance(settings, TopologySettings)
        found.extend((path.stem, stack.name) for stack in planned_stacks(settings))
    return found


TOPOLOGY_STACKS = _topology_stacks()


def render(stack: dict) -> str:
    return json.dumps(stack, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", STACKS)
def test_stack_matches_snapshot(name: str, default_stacks: dict, update_snapshots: bool) -> None:
    compare(name, render(default_stacks[name]), SNAPSHOT_DIR / f"{name}.json", update_snapshots)


@pytest.mark.parametrize(("example", "name"), TOPOLOGY_STACKS)
def test_topology_example_matches_snapshot(example: str, name: str, topology_outputs: dict, update_snapshots: bool) -> None:
    """The example topologies' stacks: what a user reads before applying theirs."""
    synthesized = json.loads((topology_outputs[example] / "stacks" / name / "cdk.tf.json").read_text())
    compare(name, render(synthesized), SNAPSHOT_DIR / "topologies" / example / f"{name}.json", update_snapshots)


def compare(name: str, actual: str, path, update_snapshots: bool) -> None:
    if update_snapshots:
        path.parent.mkdir(parents=True, exist_ok=True)
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
