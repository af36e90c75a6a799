"""Resolve each jsii binding's argument annotations once, not on every call.

Every constructor and method of the jsii bindings (cdktf, constructs, the AWS
provider) checks its arguments' types before it calls Node, and first resolves the
annotations of a stub function with ``typing.get_type_hints``: string annotations
compiled and evaluated again on every call, about 2,000 times for the default app.
The annotations of a module-level stub never change, so ``cache_type_hints(module)``
gives the module a ``typing`` that answers ``get_type_hints(stub)`` from a cache.
The checks themselves run as before, on the same hints: the output is the same.
"""
from __future__ import annotations

import types
import typing
from typing import Any

_hints: dict[Any, dict[str, Any]] = {}


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


def cache_type_hints(module: types.ModuleType) -> types.ModuleType:
    """Point ``module``'s global ``typing`` at the caching one (if it uses ``typing``).

    A jsii module publishes only its public names (the ``publication`` package):
    its functions run in the module it keeps as ``_private``, so that one is changed."""
    namespace = vars(getattr(module, "_private", module))
    if namespace.get("typing") is typing:
        namespace["typing"] = _TYPING
    return module
