"""The pattern registry: how main.py, the config schema, the README's config table
and the tests find the patterns, without a list of them anywhere.

A pattern is a package under ``accounts/``:

- ``accounts/<pattern>/config.py``: its config section (a :class:`PatternSettings`
  model), the names it creates, its config checks, and ``PATTERN = PatternSpec(...)``.
  It imports no cdktf, so a bad config is answered before the bindings load.
- ``accounts/<pattern>/stacks.py``: its stacks, and ``build(app, deployment, config,
  settings)`` which creates them in deploy order.

:func:`patterns` imports every ``config`` module it finds and returns their specs
by ``position``. Nothing here imports cdktf.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generic, Iterable, Sequence, TypeVar

from lattice_model.fields import AccountConfig, PatternSettings

if TYPE_CHECKING:
    from app_config.schema import LatticeConfig
    from constructs_lib.runtime.cdk import App

    from .base import Deployment

S = TypeVar("S", bound=PatternSettings)


@dataclass(frozen=True)
class AccountRole:
    """An entry of ``[accounts]`` that patterns deploy into."""

    name: str
    description: str


def account_scope(account_id: str) -> str:
    """The scope of names unique per account: one string per account id, whatever
    role or pattern names it, so claims of two patterns in one account meet."""
    return f"account {account_id}"


@dataclass(frozen=True)
class NameClaim:
    """A name a pattern creates where names must be unique (``kind`` within
    ``scope``), and the config field it comes from, or, for a fixed name, what
    holds it (``fixed=True``)."""

    kind: str  # "stack name", "construct id", "Lattice service name", "IAM name prefix", ...
    scope: str  # "the app", "account 111111111111", "stack distributed-consumer-account"
    name: str
    field: str
    fixed: bool = False


def _no_checks(config: "LatticeConfig", settings: Any) -> Iterable[str]:
    return ()


def _no_claims(config: "LatticeConfig", settings: Any) -> Iterable[NameClaim]:
    return ()


@dataclass(frozen=True)
class PatternSpec(Generic[S]):
    """What a pattern declares about itself."""

    name: str  # its [patterns.<name>] section and the prefix of its stacks
    summary: str  # one line for the README's config table
    settings: type[S]  # the model of its section; its `enabled` default is the pattern's
    position: int  # order in the config table and in the synthesized app
    roles: Sequence[AccountRole]  # the [accounts] entries it needs when enabled
    stack_names: Callable[[S], Sequence[str]]  # the stacks it synthesizes, in deploy order
    checks: Callable[["LatticeConfig", S], Iterable[str]] = field(default=_no_checks)  # config problems
    claims: Callable[["LatticeConfig", S], Iterable[NameClaim]] = field(default=_no_claims)
    # Tables of its section that are no key of the config's top level: written there
    # by mistake (pasted below the section's header), the error says where they go.
    own_tables: Sequence[str] = ()

    @property
    def enabled_by_default(self) -> bool:
        return bool(self.settings.model_fields["enabled"].default)

    def settings_of(self, config: "LatticeConfig") -> S:
        value = getattr(config.patterns, self.name)
        if not isinstance(value, self.settings):
            raise TypeError(f"patterns.{self.name} is a {type(value).__name__}, not {self.settings.__name__}")
        return value

    def enabled(self, config: "LatticeConfig") -> bool:
        return self.settings_of(config).enabled

    def build(self, app: "App", deployment: "Deployment", config: "LatticeConfig") -> None:
        """Create this pattern's stacks (imports its stacks module, and cdktf with it)."""
        stacks = importlib.import_module(f"{__package__}.{self.name}.stacks")
        stacks.build(app, deployment, config, self.settings_of(config))


@functools.cache
def patterns() -> tuple[PatternSpec[Any], ...]:
    """Every pattern under accounts/, by position."""
    found: list[PatternSpec[Any]] = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.ispkg:
            continue
        config = importlib.import_module(f"{__package__}.{module.name}.config")
        spec = getattr(config, "PATTERN", None)
        if not isinstance(spec, PatternSpec) or spec.name != module.name:
            raise TypeError(f"accounts/{module.name}/config.py must define PATTERN = PatternSpec(name={module.name!r}, ...)")
        found.append(spec)
    return tuple(sorted(found, key=lambda spec: spec.position))


def account_roles() -> tuple[AccountRole, ...]:
    """Every [accounts] entry some pattern uses, in the order the patterns name them.
    A role shared by patterns is one object, so its description has one home."""
    roles: dict[str, AccountRole] = {}
    for spec in patterns():
        for role in spec.roles:
            if roles.setdefault(role.name, role) is not role:
                raise TypeError(f"account role {role.name!r} is declared twice: share one AccountRole object")
    return tuple(roles.values())


def required_account(config: "LatticeConfig", role: AccountRole) -> AccountConfig:
    """``accounts.<role>``; the config checks guarantee it for every enabled pattern."""
    account = getattr(config.accounts, role.name)
    if not isinstance(account, AccountConfig):
        raise ValueError(f"accounts.{role.name} is required")
    return account
