"""VPC Lattice facts that need no cdktf: name rules, auth types, association
limits. The constructs enforce them at synth; the config schema checks the same
rules before the bindings load (docs/lattice-rules.md, sections 1 and 2)."""
from __future__ import annotations

import re
from typing import Literal, Optional

AuthType = Literal["NONE", "AWS_IAM"]
AUTH_TYPES: tuple[AuthType, ...] = ("NONE", "AWS_IAM")
SECURITY_GROUPS_PER_ASSOCIATION = 5  # fixed, not a quota
# Adjustable quotas, their defaults per account and region (docs/lattice-rules.md, section 2).
DEFAULT_QUOTAS: dict[str, int] = {
    "listeners_per_service": 2,
    "rules_per_listener": 10,
    "target_groups_per_service": 10,
    "targets_per_target_group": 1000,
    "service_associations_per_service_network": 500,
    "vpc_associations_per_service_network": 500,
    "resource_configurations_per_service_network": 500,
}

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


def name_rule(kind: str) -> str:
    """The rule for names of ``kind``, as a sentence for error messages."""
    low, high, reserved = NAME_RULES[kind]
    return (
        f"a {kind} name is {low}-{high} lowercase letters, digits and hyphens, with no leading, "
        f"trailing or double hyphen, and does not start with '{reserved}'"
    )


def name_problem(kind: str, value: str) -> Optional[str]:
    """None when ``value`` is a valid name for ``kind``, else the rule it breaks."""
    low, high, reserved = NAME_RULES[kind]
    if low <= len(value) <= high and _NAME.match(value) and not value.startswith(reserved):
        return None
    return name_rule(kind)
