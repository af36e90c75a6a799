"""Synth-time checks of the VPC Lattice rules that can be checked before apply.

A violation raises ``LatticeValidationError`` naming the construct path, the field,
the value and the rule. Quotas that AWS can raise are warnings instead
(``LatticeQuotaWarning``, also shown by the cdktf CLI as annotations); declare a
raised quota with :func:`declare_quotas` and exceeding *that* is an error.
"""
from __future__ import annotations

import dataclasses
import re
import warnings
from dataclasses import dataclass
from typing import Any, NoReturn, Optional

from ..cdk import Annotations, Construct, Token


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
    return isinstance(value, str) and Token.is_unresolved(value)


# resource kind -> (min length, max length, reserved prefix)
NAME_RULES: dict[str, tuple[int, int, str]] = {
    "service network": (3, 63, "servicenetwork-"),
    "service": (3, 40, "svc-"),
    "target group": (3, 128, "tg-"),
    "listener": (3, 63, "listener-"),
    "rule": (3, 63, "rule-"),
    "resource gateway": (3, 40, "rgw-"),
    "resource configuration": (3, 40, "rcfg-"),
}
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # no leading/trailing or double hyphen


def check_name(where: Construct, kind: str, value: str, field: str = "name") -> str:
    low, high, reserved = NAME_RULES[kind]
    if is_token(value):
        return value
    rule = (
        f"a {kind} name is {low}-{high} lowercase letters, digits and hyphens, with no leading, "
        f"trailing or double hyphen, and does not start with '{reserved}'"
    )
    if not (low <= len(value) <= high) or not _NAME.match(value) or value.startswith(reserved):
        fail(where, field, value, rule)
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

    listeners_per_service: int = 2
    rules_per_listener: int = 10
    target_groups_per_service: int = 10
    targets_per_target_group: int = 1000
    service_associations_per_service_network: int = 500
    vpc_associations_per_service_network: int = 500
    resource_configurations_per_service_network: int = 500


_APP_STATE: dict[str, dict[str, Any]] = {}


def app_state(construct: Construct, key: str, default: Any) -> Any:
    """Per-app bookkeeping of the checks. Keyed by the app's jsii object reference:
    an App made on the JavaScript side (``Testing.app()``) has no single Python
    object, and every App in a process (tests included) needs its own state."""
    root = construct.node.root
    ref = getattr(getattr(root, "__jsii_ref__", None), "ref", None) or str(id(root))
    return _APP_STATE.setdefault(ref, {}).setdefault(key, default)


def declare_quotas(app: Construct, quotas: LatticeQuotas) -> None:
    """Tell the checks which quotas this app's accounts have had raised."""
    app_state(app, "quotas", {})["declared"] = quotas


def quotas_for(construct: Construct) -> tuple[LatticeQuotas, bool]:
    declared = app_state(construct, "quotas", {}).get("declared")
    return (declared, True) if declared is not None else (LatticeQuotas(), False)


def check_quota(where: Construct, quota: str, count: int, what: str) -> None:
    """Warn when ``count`` passes the default ``quota``; fail when it passes a declared one."""
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
