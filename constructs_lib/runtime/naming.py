"""Readable, stable Terraform logical ids for the resources of a stack.

cdktf names a nested resource ``<path>_<hash>`` (``lambdaservice_function_0015BEFB``).
Users read the synthesized Terraform line by line, so a ``ReadableIdsStack`` names
every element after its construct path instead: ``lambdaservice/function/logs``
becomes ``lambdaservice_function_logs``.

The name is given when the element is created: Python knows the path then (the
scope and the id it passes), so it costs one call to Node. Left to cdktf, the name
would be asked for later through a call from Node back into Python, plus a call to
read the path: twice the round trips, for every element of the app.
"""
from __future__ import annotations

import re
from typing import Any

import jsii

from .cdk import App, Construct, TerraformElement, TerraformLocal, TerraformStack, TerraformVariable

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
    that would share a name are reported when the second is created, never
    silently merged.

    Elements created from Python are named as they are created (see the module's
    docstring). cdktf asks this stack, through a call from Node back into Python,
    only for an element it created itself: the name is derived from the element's
    path alone, and an element's type is read only when two elements share a name."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        # Below the app, a stack's path is its id (sanitized as the constructs library does).
        self._stack_path = id.replace("/", "--") if isinstance(scope, App) else str(self.node.path)
        vars(self)[_SCOPE] = (self, "")
        self._owners: dict[str, list[tuple[str, Any]]] = {}  # name -> (path, element) of each element using it
        # id() of an object named before -> (the object, its name). The object is kept
        # here so its id cannot be reused: jsii may hand over a fresh proxy for an
        # element already named, and an id freed by the collector once gave a new
        # element an old element's name.
        self._names: dict[int, tuple[Any, str]] = {}

    def get_logical_id(self, tf_element: Any) -> str:  # jsii override
        known = self._names.get(id(tf_element))
        if known is not None:
            return known[1]  # named at creation, or asked again: answer without Node
        path = _path_of(tf_element)
        return self._claim(tf_element, path, readable_parts(_below(self._stack_path, path)))

    def _claim(self, tf_element: Any, path: str, name: str) -> str:
        """Record ``name`` as ``tf_element``'s, or raise if an element of its type has it."""
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


# Each construct created from Python inside a ReadableIdsStack carries, under this
# attribute, its stack and its path below the stack: held by the construct itself,
# it goes when the construct goes; a construct outside any (the app, a plain
# stack and what it holds) carries _OUTSIDE.
_SCOPE = "_readable_ids_scope"
_OUTSIDE = None


def _scope_of(scope: Any) -> tuple[ReadableIdsStack, str] | None:
    """The stack and relative path of ``scope``, when it is inside a ReadableIdsStack."""
    attributes = getattr(scope, "__dict__", {})
    if _SCOPE in attributes:
        recorded: tuple[ReadableIdsStack, str] | None = attributes[_SCOPE]
        return recorded
    if not isinstance(scope, Construct) or isinstance(scope, TerraformStack) or scope.node.scope is None:
        return None  # not a construct, a plain stack, or the app
    # A construct Python did not create (or a fresh proxy of one): ask Node once.
    stack = TerraformStack.of(scope)
    if not isinstance(stack, ReadableIdsStack):
        return None
    known = (stack, _below(stack._stack_path, str(scope.node.path)))
    vars(scope)[_SCOPE] = known
    return known


def _recorded(construct: Construct) -> tuple[ReadableIdsStack, str] | None:
    if isinstance(construct, ReadableIdsStack):
        return construct, ""
    return None if isinstance(construct, TerraformStack) else _scope_of(construct)


def stack_of(construct: Construct) -> TerraformStack:
    """``TerraformStack.of(construct)``, answered in Python inside a ReadableIdsStack."""
    known = _recorded(construct)
    return known[0] if known is not None else TerraformStack.of(construct)


def construct_path(construct: Construct) -> str:
    """``construct.node.path``, answered in Python inside a ReadableIdsStack."""
    known = _recorded(construct)
    if known is None:
        return str(construct.node.path)
    stack, relative = known
    return "/".join(part for part in (stack._stack_path, relative) if part)


_create = jsii.create


def _create_and_name(klass: Any, obj: Any, args: Any = None) -> Any:
    """``jsii.create``, then: a construct created in a ReadableIdsStack is recorded
    with its path, and an element gets its readable name right away."""
    ref = _create(klass, obj, args)
    vars(obj)[_SCOPE] = _OUTSIDE
    if args and len(args) >= 2 and isinstance(args[1], str):
        parent = _scope_of(args[0])
        if parent is not None:
            stack, parent_path = parent
            own_id = args[1].replace("/", "--")  # as the constructs library sanitizes ids
            relative = f"{parent_path}/{own_id}" if parent_path else own_id
            vars(obj)[_SCOPE] = (stack, relative)
            if isinstance(obj, TerraformElement):
                path = f"{stack._stack_path}/{relative}" if stack._stack_path else relative
                obj.override_logical_id(stack._claim(obj, path, readable_parts(relative)))
    return ref


jsii.create = _create_and_name


def _path_of(element: Any) -> str:
    """The construct path, in one round trip: a construct's ``toString()`` is its
    path, except for variables and locals, whose ``toString()`` is a token."""
    if isinstance(element, Construct) and not isinstance(element, (TerraformVariable, TerraformLocal)):
        return str(element.to_string())
    return str(getattr(element, "node", element).path)


def _kind(element: Any) -> str:
    return getattr(element, "terraform_resource_type", None) or ""
