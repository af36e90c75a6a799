"""VPC Lattice facts that need no cdktf: name rules, auth types, association
limits. The constructs enforce them at synth; the config schema checks the same
rules before the bindings load (docs/lattice-rules.md, sections 1 and 2)."""
from __future__ import annotations

from typing import Literal, Optional

from .text_rule import text_rule

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
_NAME = text_rule(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # no leading/trailing or double hyphen


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
    if low <= len(value) <= high and _NAME(value) and not value.startswith(reserved):
        return None
    return name_rule(kind)


# Listener rules and actions (the API's limits; tests/unit/test_lattice_rules.py
# holds them against botocore's VPC Lattice service model).
RULE_PRIORITIES = (1, 100)  # a listener's rules take priorities 1-100, whatever the quota
FORWARD_TARGET_GROUPS = (1, 10)  # target groups one forward action names
MATCH_HEADERS_MAX = 5
MATCH_PATH_MAX = 200
MATCH_METHOD_MAX = 16
HEADER_NAME_MAX = 100
HEADER_VALUE_MAX = 200
HEALTH_CHECK_PATH_MAX = 2048
AUTH_POLICY_MAX = 10_000  # characters
_URL_PATH = text_rule(r"/[a-zA-Z0-9@:%_+.~#?&/=-]*")  # a rule's path match and a health check's path
# HTTP's token characters (RFC 9110, 5.6.2): what a header name is made of.
_HEADER_NAME = text_rule(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = text_rule(r"[^\x00-\x1f\x7f]+")  # any text but control characters (the API takes any; a request cannot carry those)


def match_path_problem(value: str) -> Optional[str]:
    """None when a rule may match ``value`` as its path (exact or prefix), else the rule it breaks."""
    if 1 <= len(value) <= MATCH_PATH_MAX and _URL_PATH(value):
        return None
    return f"a rule's path starts with '/', has at most {MATCH_PATH_MAX} characters and only letters, digits and @:%_+.~#?&/=- (no wildcards)"


def health_check_path_problem(value: str) -> Optional[str]:
    """None when a health check may request ``value``, else the rule it breaks."""
    if len(value) <= HEALTH_CHECK_PATH_MAX and _URL_PATH(value):
        return None
    return f"a health check path starts with '/', has at most {HEALTH_CHECK_PATH_MAX} characters and only letters, digits and @:%_+.~#?&/=-"


def header_match_problem(name: str, value: str) -> Optional[str]:
    """None when a rule may match header ``name`` against ``value``, else the rule it breaks."""
    if not (len(name) <= HEADER_NAME_MAX and _HEADER_NAME(name)):
        return f"a header name is 1-{HEADER_NAME_MAX} of HTTP's token characters (letters, digits and !#$%&'*+.^_`|~-)"
    if not (len(value) <= HEADER_VALUE_MAX and _HEADER_VALUE(value)):
        return f"a header value to match is 1-{HEADER_VALUE_MAX} characters, no control characters"
    return None
