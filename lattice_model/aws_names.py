"""Names of AWS resources beside Lattice's, and their rules: load balancers and
IAM roles. The constructs that make these names check them at synth; the config
checks the same rules before the bindings load. No cdktf import."""
from __future__ import annotations

from typing import Optional

from .text_rule import text_rule

LOAD_BALANCER_NAME_MAX = 32
_LOAD_BALANCER_NAME = text_rule(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
IAM_ROLE_NAME_MAX = 64
_IAM_ROLE_NAME = text_rule(r"[A-Za-z0-9+=,.@_-]+")


def load_balancer_name_problem(name: str) -> Optional[str]:
    """None when Elastic Load Balancing accepts ``name``, else the rule it breaks."""
    if len(name) <= LOAD_BALANCER_NAME_MAX and _LOAD_BALANCER_NAME(name) and not name.lower().startswith("internal-"):
        return None
    return (
        f"a load balancer name is 1-{LOAD_BALANCER_NAME_MAX} letters, digits and hyphens, not starting or ending "
        "with a hyphen, and does not start with 'internal-'"
    )


def iam_role_name_problem(name: str) -> Optional[str]:
    """None when IAM accepts ``name`` for a role, else the rule it breaks."""
    if len(name) <= IAM_ROLE_NAME_MAX and _IAM_ROLE_NAME(name):
        return None
    return f"an IAM role name is 1-{IAM_ROLE_NAME_MAX} letters, digits or +=,.@_-"


def lambda_role_name(iam_name_prefix: str) -> str:
    """The execution role of a function whose IAM names start ``iam_name_prefix``."""
    return f"{iam_name_prefix}-lambda-role"


def account_wide_name(pattern: str, suffix: str) -> str:
    """IAM and other account-wide names, prefixed by pattern so patterns can share an account."""
    return f"{pattern}-{suffix}"
