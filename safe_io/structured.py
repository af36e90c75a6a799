"""TOML, YAML and JSON documents with bounds: nesting depth and, for YAML, aliases.

Python's parsers recurse per level of nesting, so a document nested thousands of
levels deep ends in ``RecursionError``; and a YAML alias repeated inside aliases
("billion laughs") makes a 10 KB file stand for billions of values, which any code
that walks it (validation, JSON encoding) expands until memory runs out. Each
parser here answers with :class:`StructureError` instead: one line.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

MAX_DEPTH = 64  # far above any file of this project (a config nests about 6 levels)
YAML_MAX_ALIASES = 100
YAML_MAX_NODES = 200_000  # values of a YAML document with every alias expanded


class StructureError(ValueError):
    """A document that parses but exceeds a bound, or that does not parse.
    ``str()`` is one line naming the file."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def depth_problem(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Why ``value`` (parsed data) nests too deeply, or None. Iterative: it cannot
    itself run out of stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return f"is nested more than {limit} levels deep"
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None


def _bounded(value: Any, path: str | Path) -> Any:
    problem = depth_problem(value)
    if problem:
        raise StructureError(path, problem)
    return value


def parse_toml(text: str, path: str | Path) -> dict[str, Any]:
    """``text`` as TOML; :class:`StructureError` when it is not valid TOML or nests too deeply."""
    try:
        return _bounded(tomllib.loads(text), path)  # type: ignore[no-any-return]
    except tomllib.TOMLDecodeError as error:
        raise StructureError(path, f"not valid TOML: {error}") from None
    except RecursionError:
        raise StructureError(path, f"is nested more than {MAX_DEPTH} levels deep") from None


def parse_json(text: str, path: str | Path) -> Any:
    """``text`` as JSON; :class:`StructureError` when it is not valid JSON or nests too deeply."""
    try:
        return _bounded(json.loads(text), path)
    except json.JSONDecodeError as error:
        raise StructureError(path, f"not valid JSON ({error.msg}, line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise StructureError(path, f"is nested more than {MAX_DEPTH} levels deep") from None


def parse_yaml(text: str, path: str | Path) -> Any:
    """``text`` as YAML (safe types only); :class:`StructureError` when it is not
    valid YAML, nests too deeply, uses more than ``YAML_MAX_ALIASES`` aliases or
    stands for more than ``YAML_MAX_NODES`` values once its aliases are expanded."""
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > YAML_MAX_ALIASES:
                    raise StructureError(path, f"uses more than {YAML_MAX_ALIASES} YAML aliases")
            return super().compose_node(parent, index)

    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded = _expanded_size(node, {}, 0)
        if expanded > YAML_MAX_NODES:
            raise StructureError(path, f"stands for more than {YAML_MAX_NODES:,} values once its YAML aliases are expanded")
        return _bounded(loader.construct_document(node), path)
    except yaml.YAMLError as error:
        raise StructureError(path, f"not valid YAML: {' '.join(str(error).split())}") from None
    except RecursionError:
        raise StructureError(path, f"is nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def _expanded_size(node: Any, seen: dict[int, int], depth: int) -> int:
    """How many values ``node`` stands for with every alias expanded (a node
    reached twice counts twice), computed once per node."""
    if id(node) in seen:
        return seen[id(node)]
    if depth > MAX_DEPTH:
        raise RecursionError
    children: list[Any] = []
    if isinstance(node.value, list):
        for item in node.value:
            children.extend(item if isinstance(item, tuple) else (item,))
    size = 1 + sum(_expanded_size(child, seen, depth + 1) for child in children)
    seen[id(node)] = size
    return size
