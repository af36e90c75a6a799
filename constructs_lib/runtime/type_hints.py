"""Resolve each jsii binding's argument annotations once, and check a plain value's
type once per annotation, not on every call.

Every constructor and method of the jsii bindings (cdktf, constructs, the AWS
provider) checks its arguments' types before it calls Node, and first resolves the
annotations of a stub function with ``typing.get_type_hints``: string annotations
compiled and evaluated again on every call, about 2,000 times for the default app.
The annotations of a module-level stub never change, so ``cache_type_hints(module)``
gives the module a ``typing`` that answers ``get_type_hints(stub)`` from a cache.

Then every argument, given or left ``None``, goes through typeguard: ~16,000 checks
for the default app, nine in ten of them a ``None``, string, number or boolean. For
such a value typeguard's verdict depends only on the value's type (unless the
annotation is a ``Literal``), so the module's ``check_type`` remembers each
(type, annotation) pair that passed and lets typeguard judge only the rest: a
value of a type not yet seen with that annotation, a collection, an object. A wrong
value still fails exactly as before, with typeguard's message. The output is the same.
"""
from __future__ import annotations

import types
import typing
from typing import Any, Callable

_hints: dict[Any, dict[str, Any]] = {}
# Types whose values typeguard judges by their type alone.
_PLAIN = frozenset({str, int, float, bool, type(None)})
_passed: set[tuple[type, Any]] = set()


def _get_type_hints(obj: Any, globalns: Any = None, localns: Any = None, include_extras: bool = False) -> dict[str, Any]:
    if globalns is not None or localns is not None or include_extras:
        return typing.get_type_hints(obj, globalns, localns, include_extras)
    try:
        return _hints[obj]
    except KeyError:
        hints = _hints[obj] = typing.get_type_hints(obj)
        return hints
    except TypeError:  # not hashable: nothing to key a cache on
        return typing.get_type_hints(obj)


class _TypingWithCachedHints(types.ModuleType):
    """``typing``, except ``get_type_hints``."""

    get_type_hints = staticmethod(_get_type_hints)

    def __getattr__(self, name: str) -> Any:
        return getattr(typing, name)


_TYPING = _TypingWithCachedHints("typing")


def _by_type_alone(annotation: Any) -> bool:
    """False for an annotation that can reject one value and accept another of the same type."""
    return "Literal" not in repr(annotation)


def _remembering(check_type: Callable[..., Any]) -> Callable[..., Any]:
    def check_plain_once(argname: str, value: object, expected_type: Any) -> Any:
        kind = type(value)
        if kind not in _PLAIN:
            return check_type(argname=argname, value=value, expected_type=expected_type)
        key = (kind, expected_type)
        try:
            if key in _passed:
                return None
        except TypeError:  # an annotation that cannot be hashed: nothing to remember it by
            return check_type(argname=argname, value=value, expected_type=expected_type)
        result = check_type(argname=argname, value=value, expected_type=expected_type)  # raises when wrong
        if _by_type_alone(expected_type):
            _passed.add(key)
        return result

    check_plain_once.__wrapped__ = check_type  # type: ignore[attr-defined]
    return check_plain_once


def cache_type_hints(module: types.ModuleType) -> types.ModuleType:
    """Point ``module``'s global ``typing`` at the caching one (if it uses ``typing``),
    and its ``check_type`` (the bindings' wrapper around typeguard) at one that
    remembers plain values' verdicts.

    A jsii module publishes only its public names (the ``publication`` package):
    its functions run in the module it keeps as ``_private``, so that one is changed."""
    namespace = vars(getattr(module, "_private", module))
    if namespace.get("typing") is typing:
        namespace["typing"] = _TYPING
    check_type = namespace.get("check_type")
    if callable(check_type) and getattr(check_type, "__module__", None) == namespace.get("__name__"):
        namespace["check_type"] = _remembering(check_type)
    return module
