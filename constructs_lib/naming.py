"""Readable, stable Terraform logical ids for the resources of a stack.

cdktf names a nested resource ``<path>_<hash>`` (``lambdaservice_function_0015BEFB``).
Users read the synthesized Terraform line by line, so a ``ReadableIdsStack`` names
every element after its construct path instead: ``lambdaservice/function/logs``
becomes ``lambdaservice_function_logs``.
"""
from __future__ import annotations

import re
from typing import Any

from .cdk import Construct, TerraformStack

_INVALID = re.compile(r"[^A-Za-z0-9_-]")


def readable_logical_id(stack: TerraformStack, element: Any) -> str:
    """The path below ``stack`` joined by ``_``. A part equal to the one before it is
    dropped: a construct that wraps one resource often names it after itself."""
    node = getattr(element, "node", element)
    parts: list[str] = []
    for scope in node.scopes:
        if scope.node.path == stack.node.path:
            parts = []
            continue
        part = _INVALID.sub("-", scope.node.id)
        if parts and parts[-1] == part:
            continue
        parts.append(part)
    name = "_".join(parts)
    return f"_{name}" if name[:1].isdigit() else name


class ReadableIdsStack(TerraformStack):
    """A stack whose Terraform names are readable construct paths. Two elements
    that would share a name are reported at synth, never silently merged."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self._logical_id_owners: dict[str, str] = {}  # "<type>.<name>" -> path of the element using it

    def get_logical_id(self, tf_element: Any) -> str:  # jsii override
        name = readable_logical_id(self, tf_element)
        owners = self._logical_id_owners
        path = getattr(tf_element, "node", tf_element).path
        # Names only need to be unique per element type, but data sources and
        # resources of one type share this map too: stricter, and simpler to read.
        kind = getattr(tf_element, "terraform_resource_type", None) or ""
        owner = owners.setdefault(f"{kind}.{name}", path)
        if owner != path:
            raise ValueError(f"{path}: Terraform name {kind}.{name} is already used by {owner}")
        return name
