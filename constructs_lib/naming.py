"""Readable, stable Terraform logical ids for the resources of a stack.

cdktf names a nested resource ``<path>_<hash>`` (``lambdaservice_function_0015BEFB``).
Users read the synthesized Terraform line by line, so a ``ReadableIdsStack`` names
every element after its construct path instead: ``lambdaservice/function/logs``
becomes ``lambdaservice_function_logs``.
"""
from __future__ import annotations

import re
from typing import Any

from .cdk import Construct, TerraformLocal, TerraformStack, TerraformVariable

_INVALID = re.compile(r"[^A-Za-z0-9_-]")


def readable_parts(relative_path: str) -> str:
    """The Terraform name for a construct path below its stack: parts joined by
    ``_``; a part equal to the one before it is dropped (a construct that wraps one
    resource often names it after itself)."""
    parts: list[str] = []
    for segment in relative_path.split("/"):
        part = _INVALID.sub("-", segment)
        if parts and parts[-1] == part:
            continue
        parts.append(part)
    name = "_".join(parts)
    return f"_{name}" if name[:1].isdigit() else name


def readable_logical_id(stack: TerraformStack, element: Any) -> str:
    """The readable name of ``element`` (a construct of ``stack``)."""
    return readable_parts(_below(stack.node.path, getattr(element, "node", element).path))


def _below(stack_path: str, path: str) -> str:
    # Construct ids cannot hold "/": a path below the stack is its ids, in order.
    return path[len(stack_path) + 1 :] if stack_path else path


class ReadableIdsStack(TerraformStack):
    """A stack whose Terraform names are readable construct paths. Two elements
    that would share a name are reported at synth, never silently merged.

    cdktf asks for a name each time an element is referenced, through a call from
    Node back into Python: the name is derived from the element's path alone (two
    round trips), and its type is read only when two elements share a name."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self._stack_path = self.node.path
        self._owners: dict[str, list[tuple[str, Any]]] = {}  # name -> (path, element) of each element using it
        # id() of an object named before -> (the object, its name). The object is kept
        # here so its id cannot be reused: jsii may hand over a fresh proxy for an
        # element already named, and an id freed by the collector once gave a new
        # element an old element's name.
        self._names: dict[int, tuple[Any, str]] = {}

    def get_logical_id(self, tf_element: Any) -> str:  # jsii override
        known = self._names.get(id(tf_element))
        if known is not None:
            return known[1]  # asked again for every reference to the element: answer without Node
        path = _path_of(tf_element)
        name = readable_parts(_below(self._stack_path, path))
        owners = self._owners.setdefault(name, [])
        if all(owner_path != path for owner_path, _ in owners):
            # Names need only be unique per element type; data sources and resources
            # of one type count as one type here: stricter, and simpler to read.
            if owners:
                kind = _kind(tf_element)
                for owner_path, owner in owners:
                    if _kind(owner) == kind:
                        raise ValueError(f"{path}: Terraform name {kind}.{name} is already used by {owner_path}")
            owners.append((path, tf_element))
        self._names[id(tf_element)] = (tf_element, name)
        return name


def _path_of(element: Any) -> str:
    """The construct path, in one round trip: a construct's ``toString()`` is its
    path, except for variables and locals, whose ``toString()`` is a token."""
    if isinstance(element, Construct) and not isinstance(element, (TerraformVariable, TerraformLocal)):
        return str(element.to_string())
    return str(getattr(element, "node", element).path)


def _kind(element: Any) -> str:
    return getattr(element, "terraform_resource_type", None) or ""
