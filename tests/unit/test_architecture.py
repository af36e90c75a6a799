"""The layout is the architecture: the import graph of the project's packages (tests,
bench and examples aside) has no cycle, between packages or between modules; every
arrow points down the allowed directions below, written once, here; no module is
over 400 lines. Imports inside ``if TYPE_CHECKING:`` are types only and do not count;
imports inside functions do."""
from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from tests.helpers import ROOT

# package -> the packages it may import (the directions of docs/contributing.md)
ALLOWED: dict[str, set[str]] = {
    "safe_io": set(),
    "pins": set(),
    "lattice_model": {"safe_io", "pins"},
    "constructs_lib": {"lattice_model", "safe_io", "pins"},
    "lattice_check": {"lattice_model", "safe_io", "pins"},
    "accounts": {"constructs_lib", "lattice_model", "safe_io", "pins"},
    "app_config": {"accounts", "lattice_model", "safe_io", "pins"},
    "main": {"app_config", "accounts", "constructs_lib", "lattice_model", "safe_io", "pins"},
    "tools": {"main", "app_config", "accounts", "constructs_lib", "lattice_check", "lattice_model", "safe_io", "pins"},
}
MODULE_LINES_MAX = 400


def modules() -> dict[str, Path]:
    found = {"main": ROOT / "main.py"}
    for package in ALLOWED:
        if package == "main":
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _type_checking(parents: list[ast.AST]) -> bool:
    return any(isinstance(p, ast.If) and "TYPE_CHECKING" in ast.unparse(p.test) for p in parents)


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports (relative imports resolved)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    stack: list[tuple[ast.AST, list[ast.AST]]] = [(ast.parse(path.read_text(encoding="utf-8")), [])]
    while stack:
        node, parents = stack.pop()
        for child in ast.iter_child_nodes(node):
            stack.append((child, [*parents, node]))
            if not isinstance(child, (ast.Import, ast.ImportFrom)) or _type_checking([*parents, node]):
                continue
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            else:
                base = package[: len(package) - child.level + 1] if child.level else []
                module = ".".join([*base, *([child.module] if child.module else [])])
                targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module for alias in child.names]
            for target in targets:
                while target and target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in known and target != name:
                    found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_every_arrow_points_down_the_allowed_directions() -> None:
    against = sorted(
        f"{module} -> {target}"
        for module, targets in graph().items()
        for target in targets
        if module.split(".")[0] != target.split(".")[0] and target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    )
    assert against == []


def test_no_cycle_between_packages_or_modules() -> None:
    edges = graph()
    packages: dict[str, set[str]] = {}
    for module, targets in edges.items():
        packages.setdefault(module.split(".")[0], set()).update(t.split(".")[0] for t in targets if t.split(".")[0] != module.split(".")[0])
    for level in (packages, edges):
        try:
            TopologicalSorter(level).prepare()
        except CycleError as cycle:
            raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_no_module_is_over_400_lines() -> None:
    long = sorted(f"{name} ({n} lines)" for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MODULE_LINES_MAX)
    assert long == []


def test_the_check_sees_a_cycle_and_an_upward_arrow(tmp_path: Path) -> None:
    """The graph above is not empty and the checks can fail."""
    edges = graph()
    assert "lattice_model.topology.schema" in edges["lattice_check.verify"] or any(t.startswith("lattice_model") for t in edges["lattice_check.verify"])
    assert len(edges) > 150
    broken = {**edges, "lattice_model.fields": {"app_config.schema"}}
    assert any(
        m.split(".")[0] == "lattice_model" and t.split(".")[0] not in ALLOWED["lattice_model"] for m, ts in broken.items() for t in ts
    )
    cyclic = {"a": {"b"}, "b": {"a"}}
    try:
        TopologicalSorter(cyclic).prepare()
    except CycleError:
        return
    raise AssertionError("a cycle was not seen")
