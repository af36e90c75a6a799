"""Hop 5a, the caller's identity: when a signed caller's role or user is defined in
the output, its identity-based policies (inline, attached, managed by ARN, and a
permissions boundary) as the authorizer reads them; None when it is defined
elsewhere (the answer then says the identity is assumed to allow)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from .authz import Identity, Request, caller, evaluate_identity
from .topology import IamIdentity, Topology


def caller_identity(topology: Topology, principal: Optional[str]) -> Optional[Identity]:
    """The identity-based policies of ``principal`` (an IAM or STS ARN), if the output
    defines it. A role session's ARN names the role without its path, and names are
    unique per account, so roles and users are matched by account and name."""
    facts = caller(principal) if principal else None
    if facts is None or facts.type not in ("AssumedRole", "User"):
        return None
    kind = "role" if facts.type == "AssumedRole" else "user"
    name = facts.arn.rsplit("/", 1)[-1]
    for identity in topology.iam_identities:
        if identity.kind == kind and identity.name == name and identity.element.account == facts.account:
            return _as_authorized(identity)
    return None


def _as_authorized(identity: IamIdentity) -> Identity:
    boundary = (identity.boundary.label, identity.boundary.document) if identity.boundary else None
    return Identity(identity.label, tuple((p.label, p.document) for p in identity.policies), boundary)


@dataclass(frozen=True)
class SessionCheck:
    """Whether a role session may make one AWS call: ``allowed`` is None when the role
    is not in this output (then assumed to allow, and said); ``reason`` says which
    policy decided."""

    allowed: Optional[bool]
    reason: str
    unmodeled: tuple[str, ...] = ()


def session_may(topology: Topology, role_arn: str, session_name: str, action: str, resource: str) -> SessionCheck:
    """Whether ``arn:aws:sts::<account>:assumed-role/<role>/<session_name>`` (a session
    of ``role_arn``, as Lambda or EKS Pod Identity makes) may call ``action`` on
    ``resource``, by the role's identity-based policies."""
    facts = caller(role_arn)
    account = facts.account if facts else ""
    session = f"arn:aws:sts::{account}:assumed-role/{role_arn.rsplit('/', 1)[-1]}/{session_name}"
    identity = caller_identity(topology, session)
    if identity is None:
        return SessionCheck(None, f"the role {role_arn} is not in this output (assumed to allow)")
    moment = datetime.now(timezone.utc)
    request = Request(
        action=action,
        resource=resource,
        principal=session,
        context={
            "aws:PrincipalType": ["AssumedRole"], "aws:PrincipalAccount": [account], "aws:PrincipalArn": [role_arn],
            "aws:CurrentTime": [moment.strftime("%Y-%m-%dT%H:%M:%SZ")], "aws:EpochTime": [str(int(moment.timestamp()))],
        },
    )
    result, reason = evaluate_identity(identity, request)
    denied = result.effect in ("EXPLICIT_DENY", "IMPLICIT_DENY")
    return SessionCheck(not denied, reason, result.unmodeled)
