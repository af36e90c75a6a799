"""Who a request comes from, as the policies see it: the request's values, the
caller an IAM ARN names (its account, type, role and session), and a role
session's ARN."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence


@dataclass(frozen=True)
class Request:
    """What the policies see of one request.

    ``principal`` is None for an anonymous (unsigned) caller, else the caller's IAM
    ARN (for an assumed role, ``arn:aws:sts::<account>:assumed-role/<role>/<session>``).
    ``context`` maps condition keys to their values (several for multi-valued keys
    such as ``vpc-lattice-svcs:RequestQueryString/<k>``); an absent key is missing.
    """

    action: str
    resource: str
    principal: Optional[str] = None
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)
    organizations_declared: bool = False  # True: accounts not in a declared organization are in none

    @property
    def principal_account(self) -> Optional[str]:
        facts = caller(self.principal) if self.principal is not None else None
        return facts.account if facts else None


@dataclass(frozen=True)
class Caller:
    """What a signed caller's ARN says: ``aws:PrincipalType``, ``aws:PrincipalAccount``
    and ``aws:PrincipalArn`` (for a role session, the role's ARN)."""

    type: str
    account: str
    arn: str
    session: Optional[str] = None  # a role session's name


def session_arn(role_arn: str, session_name: str) -> str:
    """The ARN of a session of ``role_arn`` (as Lambda, EKS Pod Identity or AssumeRole
    makes one): ``arn:aws:sts::<account>:assumed-role/<role name>/<session name>``."""
    parts = role_arn.split(":")
    account = parts[4] if len(parts) > 4 else ""  # a role ARN the output cannot resolve names none
    return f"arn:aws:sts::{account}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/{session_name}"


def caller(principal: str) -> Optional[Caller]:
    """The facts of a caller's ARN; None for a form IAM does not sign with."""
    parts = principal.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
        return None
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    if not partition.startswith("aws") or parts[3] or not re.fullmatch(r"\d{12}", account):
        return None
    kind, _, rest = resource.partition("/")
    if service == "iam" and resource == "root":
        return Caller("Account", account, principal)
    if service == "iam" and kind == "user" and rest:
        return Caller("User", account, principal)
    if service == "iam" and kind == "role" and rest:  # a role named as the caller: one of its sessions
        return Caller("AssumedRole", account, principal)
    if service == "sts" and kind == "assumed-role" and "/" in rest:
        role, _, session = rest.partition("/")
        return Caller("AssumedRole", account, f"arn:{partition}:iam::{account}:role/{role}", session)
    if service == "sts" and kind == "federated-user" and rest:
        return Caller("FederatedUser", account, principal)
    return None
