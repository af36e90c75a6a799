"""Hop 5a, the caller's identity: when a signed caller's role or user is defined in
the output, its identity-based policies (inline, attached, managed by ARN, and a
permissions boundary) as the authorizer reads them; None when it is defined
elsewhere (the answer then says the identity is assumed to allow)."""
from __future__ import annotations

from typing import Optional

from .authz import Identity, caller
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
