"""Hop 5a, the caller's identity: when a signed caller's role or user is defined in
the output, its identity-based policies (inline, attached, managed by ARN, and a
permissions boundary) as the authorizer reads them; None when it is defined
elsewhere (the answer then says the identity is assumed to allow). Also what a role
session may call (``session_may``) and whether a role's trust policy lets another
role assume it (``may_assume``), for the controllers' and handlers' own calls."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from .authz import Identity, evaluate_identity
from .callers import Request, caller, session_arn
from .kinds import IamIdentity
from .statements import evaluate_policy
from .surroundings import Surroundings


def caller_identity(topology: Surroundings, principal: Optional[str]) -> Optional[Identity]:
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
    return Identity(identity.label, tuple((p.label, p.document) for p in identity.policies), boundary, identity.arn, identity.tags)


@dataclass(frozen=True)
class SessionCheck:
    """Whether a role session may make one AWS call: ``allowed`` is None when the role
    is not in this output or its policies depend on what the model does not cover
    (then assumed to allow, and said); ``reason`` says which policy decided."""

    allowed: Optional[bool]
    reason: str
    unmodeled: tuple[str, ...] = ()


def session_may(topology: Surroundings, role_arn: str, session_name: str, action: str, resource: str) -> SessionCheck:
    """Whether ``arn:aws:sts::<account>:assumed-role/<role>/<session_name>`` (a session
    of ``role_arn``, as Lambda or EKS Pod Identity makes) may call ``action`` on
    ``resource``, by the role's identity-based policies."""
    facts = caller(role_arn)
    account = facts.account if facts else ""
    session = session_arn(role_arn, session_name)
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
    return SessionCheck(_allowed(result.effect), reason, result.unmodeled)


def _allowed(effect: str) -> Optional[bool]:
    return {"ALLOW": True, "EXPLICIT_DENY": False, "IMPLICIT_DENY": False}.get(effect)  # UNKNOWN: None


def may_assume(topology: Surroundings, role_arn: str, caller_role: str, *, session_name: str) -> SessionCheck:
    """Whether sessions of ``caller_role`` may assume ``role_arn`` by its trust policy;
    ``allowed`` None when the role is not in this output or the trust policy depends
    on what the model does not cover."""
    account, name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    for element in topology.elements("aws_iam_role"):
        if element.account != account or str(topology.resolve(element.body.get("name"), element)) != name:
            continue
        trust = topology.resolve(element.body.get("assume_role_policy"), element)
        document = json.loads(trust) if isinstance(trust, str) else trust
        caller_account = caller_role.split(":")[4]
        session = session_arn(caller_role, session_name)
        request = Request(action="sts:AssumeRole", resource=role_arn, principal=session, context={
            "aws:PrincipalArn": [caller_role], "aws:PrincipalAccount": [caller_account], "aws:PrincipalType": ["AssumedRole"],
        })
        listed = document.get("Statement", [])
        statements = [listed] if isinstance(listed, dict) else listed
        # a trust policy names no Resource: the role it is attached to is the resource
        implied = {"Statement": [s if "Resource" in s or "NotResource" in s else {**s, "Resource": role_arn} for s in statements]}
        result = evaluate_policy(implied, request)
        verdict = {True: "lets", False: "does not let", None: "may or may not let"}[_allowed(result.effect)]
        return SessionCheck(_allowed(result.effect), f"the trust policy of {role_arn} {verdict} {caller_role} assume it", result.unmodeled)
    return SessionCheck(None, f"the role {role_arn} is not in this output (assumed to let {caller_role} assume it)")
