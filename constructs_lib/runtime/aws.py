"""The one place that loads the AWS provider bindings (``cdktf_cdktf_provider_aws``).

The package's ``__init__`` imports all of its 2,136 resource modules (~15 s) before
the first construct exists. This module loads only the jsii assembly and then each
resource module when it is first asked for (jsii_host.py does the same for the
provider's JavaScript modules in jsii's Node process):

    from constructs_lib.runtime import aws
    aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")

Importing this module first gives the same speed to
an app that imports the bindings by their own name: ``cdktf_cdktf_provider_aws`` is
then the light package, whose modules load on first use.

If the installed bindings do not have the layout this relies on (another version
of the package), the normal import is used instead, with a one-line warning; the
synthesized output is the same either way. ``LATTICE_EAGER_AWS_IMPORT=1`` forces the
normal import (the benchmark's anchor, and the proof that both give the same bytes).
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
import warnings
from pathlib import Path
from typing import Any

from . import jsii_host
from .type_hints import cache_type_hints

PACKAGE = "cdktf_cdktf_provider_aws"
ASSEMBLY = "_jsii"
EAGER_ENV = "LATTICE_EAGER_AWS_IMPORT"


class _LightPackage(types.ModuleType):
    """The bindings package without its eager ``__init__``: same name, same path, so
    every resource module imports exactly as usual, on first attribute access."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return cache_type_hints(importlib.import_module(f"{self.__name__}.{name}"))
        except ModuleNotFoundError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None


def _expected_layout() -> str | None:
    """None when the installed package can be loaded lightly, else why not."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return f"{PACKAGE} is not an installed package"
    root = Path(list(spec.submodule_search_locations)[0])
    if not (root / ASSEMBLY / "__init__.py").is_file() or not list((root / ASSEMBLY).glob("*.jsii.tgz")):
        return f"{root} has no {ASSEMBLY}/ with a jsii assembly"
    if not (root / "vpc" / "__init__.py").is_file():
        return f"{root} has no per-resource modules"
    return None


def _load() -> types.ModuleType:
    loaded = sys.modules.get(PACKAGE)
    if loaded is not None:
        return loaded  # light or eager, whoever came first
    jsii_host.install()  # before the assembly loads start jsii's Node process
    problem = "eager import requested" if os.environ.get(EAGER_ENV) == "1" else _expected_layout()
    if problem is not None:
        if problem != "eager import requested":
            warnings.warn(f"constructs_lib.runtime.aws: {problem}; importing all of {PACKAGE} (slower, same output)", stacklevel=3)
        return importlib.import_module(PACKAGE)
    spec = importlib.util.find_spec(PACKAGE)
    assert spec is not None and spec.submodule_search_locations is not None
    package = _LightPackage(PACKAGE)
    package.__spec__ = spec
    package.__path__ = list(spec.submodule_search_locations)
    package.__file__ = spec.origin
    package.__package__ = PACKAGE
    sys.modules[PACKAGE] = package
    try:
        importlib.import_module(f"{PACKAGE}.{ASSEMBLY}")  # loads the jsii assembly into the Node process
    except Exception as error:  # noqa: BLE001 - any failure here means: use the normal import
        del sys.modules[PACKAGE]
        warnings.warn(f"constructs_lib.runtime.aws: light load failed ({error}); importing all of {PACKAGE}", stacklevel=3)
        return importlib.import_module(PACKAGE)
    return package


BINDINGS = _load()
LIGHT = isinstance(BINDINGS, _LightPackage)


def __getattr__(name: str) -> Any:
    """``aws.<resource module>``, e.g. ``aws.vpclattice_service``."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(BINDINGS, name)
