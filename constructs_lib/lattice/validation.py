"""Synth-time checks of the VPC Lattice rules that can be checked before apply.

A violation raises ``LatticeValidationError`` naming the construct path, the field,
the value and the rule. Quotas that AWS can raise are warnings instead
(``LatticeQuotaWarning``, also shown by the cdktf CLI as annotations); declare a
raised quota with :func:`declare_quotas` and exceeding *that* is an error.
"""
from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import Any, NoReturn, Optional

from lattice_model.lattice_rules import DEFAULT_QUOTAS, name_problem

from ..runtime.cdk import Annotations, Construct, is_unresolved


class LatticeValidationError(ValueError):
    def __init__(self, path: str, field: str, value: Any, rule: str) -> None:
        self.path, self.field, self.value, self.rule = path, field, value, rule
        super().__init__(f"{path}: {field} = {value!r}: {rule}")


class LatticeQuotaWarning(UserWarning):
    """A default quota is exceeded; fine if the account's quota was raised."""


def fail(where: Construct | str, field: str, value: Any, rule: str) -> NoReturn:
    path = where if isinstance(where, str) else where.node.path
    raise LatticeValidationError(path, field, value, rule)


def is_token(value: Any) -> bool:
    """True for values only known at apply (references to other resources)."""
    return isinstance(value, str) and is_unresolved(value)


def check_name(where: Construct, kind: str, value: str, field: str = "name") -> str:
    if is_token(value):
        return value
    problem = name_problem(kind, value)
    if problem is not None:
        fail(where, field, value, problem)
    return value


def check_range(where: Construct, field: str, value: Optional[int], low: int, high: int, what: str) -> None:
    if value is None or is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        fail(where, field, value, f"{what} must be an integer from {low} to {high}")


def check_choice(where: Construct, field: str, value: Optional[str], allowed: tuple[str, ...]) -> None:
    if value is not None and not is_token(value) and value not in allowed:
        fail(where, field, value, f"must be one of {', '.join(allowed)}")


@dataclass(frozen=True)
class LatticeQuotas:
    """Adjustable VPC Lattice quotas (defaults per account and region). Declare the
    values your account has with :func:`declare_quotas`."""

    listeners_per_service: int = DEFAULT_QUOTAS["listeners_per_service"]
    rules_per_listener: int = DEFAULT_QUOTAS["rules_per_listener"]
    target_groups_per_service: int = DEFAULT_QUOTAS["target_groups_per_service"]
    targets_per_target_group: int = DEFAULT_QUOTAS["targets_per_target_group"]
    service_associations_per_service_network: int = DEFAULT_QUOTAS["service_associations_per_service_network"]
    vpc_associations_per_service_network: int = DEFAULT_QUOTAS["vpc_associations_per_service_network"]
    resource_configurations_per_service_network: int = DEFAULT_QUOTAS["resource_configurations_per_service_network"]


class AppChecks(Construct):
    """The app-wide side of the checks that span stacks: the quotas declared for
    this app and which construct associates each VPC. One per app, a child of the
    app's root, found (or made) by :meth:`of`; it synthesizes nothing."""

    ID = "lattice-app-checks"

    def __init__(self, root: Construct) -> None:
        super().__init__(root, self.ID)
        self.declared_quotas: Optional[LatticeQuotas] = None
        self.vpc_associations: dict[str, str] = {}  # VPC key -> path of the associating construct

    @classmethod
    def of(cls, construct: Construct) -> "AppChecks":
        root = construct.node.root
        found = root.node.try_find_child(cls.ID)
        if found is None:
            assert isinstance(root, Construct)
            return cls(root)
        if not isinstance(found, cls):
            raise TypeError(f"{root.node.path}: the child {cls.ID!r} is not the app's AppChecks")
        return found


_DEFAULT_QUOTAS = LatticeQuotas()


def declare_quotas(app: Construct, quotas: LatticeQuotas) -> None:
    """Tell the checks which quotas this app's accounts have had raised. AWS quotas
    only go up from their defaults, so a declared quota is at least its default."""
    for field in dataclasses.fields(LatticeQuotas):
        declared, default = getattr(quotas, field.name), getattr(_DEFAULT_QUOTAS, field.name)
        if declared < default:
            raise ValueError(
                f"declare_quotas: {field.name} = {declared}: below the default quota of {default} (quotas are only raised)"
            )
    AppChecks.of(app).declared_quotas = quotas


def quotas_for(construct: Construct) -> tuple[LatticeQuotas, bool]:
    declared = AppChecks.of(construct).declared_quotas
    return (declared, True) if declared is not None else (LatticeQuotas(), False)


def check_quota(where: Construct, quota: str, count: int, what: str) -> None:
    """Warn when ``count`` passes the default ``quota``; fail when it passes a declared one."""
    if count <= getattr(_DEFAULT_QUOTAS, quota):
        return  # within the default, hence within any declared quota: no need to look
    quotas, declared = quotas_for(where)
    limit = getattr(quotas, quota)
    if count <= limit:
        return
    if declared:
        fail(where, quota, count, f"{what}: more than the declared quota of {limit}")
    message = (
        f"{where.node.path}: {count} {what} exceed the default quota of {limit}; if the account's quota is "
        f"raised, declare it: declare_quotas(app, LatticeQuotas({quota}={count}))"
    )
    Annotations.of(where).add_warning(message)
    warnings.warn(message, LatticeQuotaWarning, stacklevel=3)


def quota_fields() -> list[str]:
    return [f.name for f in dataclasses.fields(LatticeQuotas)]
