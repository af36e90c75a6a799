"""VPC Lattice authorization, as docs/lattice-rules.md section 5 describes it.

Layers: a signed caller's identity-based policies, then the service network, then
the service; each auth layer allows when its auth type is NONE or its policy
explicitly allows, the identity when one of its policies explicitly allows; an
explicit Deny anywhere wins; AWS_IAM without a policy denies.

Statements (statements.py) and conditions (conditions.py) evaluate to a tri-state:
True, False, or ``None`` when the policy uses something this model does not cover
(an unknown operator, a ``NotPrincipal``, a non-numeric value for a numeric
operator). ``None`` is never guessed into an allow or a deny: it surfaces as an
UNKNOWN decision with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, Mapping, Optional, Sequence

from .callers import Request, caller
from .statements import VERSION_OF_STATEMENT, PolicyResult, evaluate_policy

INVOKE = "vpc-lattice-svcs:Invoke"
CONNECT = "vpc-lattice-svcs:Connect"

Effect = Literal["ALLOW", "DENY", "UNKNOWN"]


@dataclass(frozen=True)
class Layer:
    """A service network or service as the authorizer sees it."""

    kind: Literal["network", "service"]
    auth_type: Literal["NONE", "AWS_IAM"]
    policy: Optional[Mapping[str, Any]] = None


@dataclass(frozen=True)
class Identity:
    """A signed caller's identity-based policies, when the output defines its role or
    user: (label, document) per policy, the document None where the output does not
    hold it (an AWS managed policy the checker does not know, a policy made
    elsewhere); ``boundary`` the same for a permissions boundary."""

    name: str  # "role app (aws_iam_role.app in stack-x)"
    policies: tuple[tuple[str, Optional[Mapping[str, Any]]], ...]
    boundary: Optional[tuple[str, Optional[Mapping[str, Any]]]] = None
    arn: Optional[str] = None  # the role's or user's ARN, its path included (a session's ARN names none)
    tags: tuple[tuple[str, str], ...] = ()  # its IAM tags: aws:PrincipalTag, under a session's own tags


@dataclass(frozen=True)
class Decision:
    effect: Effect
    reasons: tuple[str, ...]
    denied_by: Optional[str] = None  # "network", "service" or "identity"
    explicit: bool = False
    unmodeled: tuple[str, ...] = ()

    def access_denied_message(self, request: Request) -> str:
        """The one-line 403 body VPC Lattice returns for this denial."""
        user = request.principal or "anonymous"
        kind = f"{self.denied_by}-based"
        article = "an" if kind[0] in "aeiou" else "a"
        if self.explicit:
            tail = f"with an explicit deny in {article} {kind} policy"
        else:
            tail = f"because no {kind} policy allows the {request.action} action"
        return f"AccessDeniedException: User: {user} is not authorized to perform: {request.action} on resource: {request.resource} {tail}"


def _layer(layer: Layer, request: Request) -> tuple[PolicyResult, str]:
    if layer.auth_type == "NONE":
        return PolicyResult("ALLOW"), f"{layer.kind}: auth type NONE"
    if layer.policy is None:
        return PolicyResult("IMPLICIT_DENY"), f"{layer.kind}: AWS_IAM with no auth policy denies everything"
    result = evaluate_policy(layer.policy, request)
    return result, f"{layer.kind} auth policy: {_what(result)}"


def _what(result: PolicyResult) -> str:
    return {
        "ALLOW": f"allowed by statement {result.statement}",
        "EXPLICIT_DENY": f"explicitly denied by statement {result.statement}",
        "IMPLICIT_DENY": "no statement allows",
        "UNKNOWN": "depends on what the model does not cover",
    }[result.effect]


def evaluate_identity(identity: Identity, request: Request) -> tuple[PolicyResult, str]:
    """IAM's rule for one principal: its policies are read as one (an explicit deny in
    any wins, else an allow in any), and a permissions boundary must allow as well. A
    policy the output does not hold could allow: without an allow elsewhere the answer
    is UNKNOWN; with one it is ALLOW, assuming that policy holds no Deny (said)."""
    who = f"identity of {identity.name}"
    held = [(label, document) for label, document in identity.policies if document is not None]
    missing = [label for label, document in identity.policies if document is None]
    result = evaluate_policy({"Statement": _labelled_statements(held)}, request, identity=True)
    unmodeled = [f"{who}: {u}" for u in result.unmodeled]
    if result.effect == "EXPLICIT_DENY":
        return PolicyResult("EXPLICIT_DENY", result.statement, tuple(unmodeled)), f"{who}: explicitly denied by {result.statement}"
    if identity.boundary is not None and result.effect != "ALLOW":  # its explicit deny wins whatever the policies say
        label, fence = identity.boundary
        bound = evaluate_policy(fence, request, identity=True) if fence is not None else None
        if bound is not None and bound.effect == "EXPLICIT_DENY":
            unmodeled.extend(f"{who}, permissions boundary: {u}" for u in bound.unmodeled)
            return PolicyResult("EXPLICIT_DENY", bound.statement, tuple(unmodeled)), (
                f"{who}: its permissions boundary {label} explicitly denies ({bound.statement}) {request.action}"
            )
    if identity.boundary is not None and result.effect == "ALLOW":
        label, document = identity.boundary
        if document is None:
            return PolicyResult("UNKNOWN", None, (*unmodeled, f"{who}: permissions boundary {label}")), (
                f"{who}: allowed by {result.statement}, but depends on its permissions boundary {label}"
            )
        bound = evaluate_policy(document, request, identity=True)
        unmodeled.extend(f"{who}, permissions boundary: {u}" for u in bound.unmodeled)
        if bound.effect != "ALLOW":
            verdict = {"EXPLICIT_DENY": f"explicitly denies ({bound.statement})", "IMPLICIT_DENY": "does not allow", "UNKNOWN": "may not allow"}[bound.effect]
            return PolicyResult(bound.effect, bound.statement, tuple(unmodeled)), f"{who}: its permissions boundary {label} {verdict} {request.action}"
    if result.effect == "ALLOW":
        unmodeled.extend(f"{who}: {label} is not evaluated (assumed to hold no Deny)" for label in missing)
        return PolicyResult("ALLOW", result.statement, tuple(unmodeled)), f"{who}: allowed by {result.statement}"
    if result.effect == "UNKNOWN" or missing:
        unmodeled.extend(f"{who}: {label} could allow" for label in missing)
        return PolicyResult("UNKNOWN", None, tuple(unmodeled)), f"{who}: no policy in this output allows {request.action}; depends on what the model does not cover"
    return PolicyResult("IMPLICIT_DENY", None, tuple(unmodeled)), f"{who}: no identity-based policy allows {request.action}"


def _labelled_statements(policies: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Mapping[str, Any]]:
    """The statements of several policies, each named by its policy and Sid (or index)."""
    statements: list[Mapping[str, Any]] = []
    for label, document in policies:
        listed = document.get("Statement", [])
        for index, statement in enumerate([listed] if isinstance(listed, Mapping) else listed):
            sid = f"{label}, statement {statement.get('Sid') or f'#{index}'}"
            statements.append({**statement, "Sid": sid, VERSION_OF_STATEMENT: document.get("Version")})
    return statements


def authorize(
    request: Request,
    *,
    network: Optional[Layer],
    service: Layer,
    identity: Optional[Identity] = None,
) -> Decision:
    """The decision of VPC Lattice for ``request``. ``network`` is None when the
    client reaches the service without a service network in between (not a case
    the patterns use). ``identity``: the signed caller's identity-based policies when
    the Terraform defines them; None for a caller defined elsewhere (assumed to allow,
    and said so)."""
    reasons: list[str] = []
    unmodeled: list[str] = []
    results: list[tuple[str, PolicyResult]] = []
    if request.principal is not None:
        if identity is None:
            unmodeled.append("the caller's identity-based policy is not in this output (assumed to allow)")
        else:
            result, reason = evaluate_identity(identity, request)
            reasons.append(reason)
            unmodeled.extend(result.unmodeled)
            results.append(("identity", result))
    for layer in (network, service):
        if layer is None:
            continue
        result, reason = _layer(layer, request)
        reasons.append(reason)
        unmodeled.extend(result.unmodeled)
        results.append((layer.kind, result))
    for kind, result in results:  # an explicit deny anywhere wins
        if result.effect == "EXPLICIT_DENY":
            return Decision("DENY", tuple(reasons), kind, True, tuple(unmodeled))
    for kind, result in results:
        if result.effect == "IMPLICIT_DENY":
            return Decision("DENY", tuple(reasons), kind, False, tuple(unmodeled))
    if any(result.effect == "UNKNOWN" for _, result in results):
        return Decision("UNKNOWN", tuple(reasons), None, False, tuple(unmodeled))
    return Decision("ALLOW", tuple(reasons), None, False, tuple(unmodeled))


def request_context(
    *,
    method: str,
    path: str,
    port: int,
    service_arn: str,
    service_network_arn: Optional[str],
    source_vpc: str,
    source_vpc_owner: Optional[str],
    headers: Mapping[str, str] = {},
    query: Mapping[str, Sequence[str]] = {},
    principal: Optional[str] = None,
    principal_arn: Optional[str] = None,
    principal_tags: Mapping[str, str] = {},
    principal_org: Optional[str] = None,
    now: Optional[datetime] = None,
) -> dict[str, list[str]]:
    """The condition keys VPC Lattice sets for an HTTP request (``now``: the request's
    time, for aws:CurrentTime; the present when not given). ``principal_arn``: the
    caller's role or user ARN with its path, when the output defines it; else
    aws:PrincipalArn is read from ``principal``, and a role session's ARN names the
    role without its path."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    context: dict[str, list[str]] = {
        "vpc-lattice-svcs:RequestMethod": [method],
        "vpc-lattice-svcs:RequestPath": [path],
        "vpc-lattice-svcs:Port": [str(port)],
        "vpc-lattice-svcs:ServiceArn": [service_arn],
        "vpc-lattice-svcs:SourceVpc": [source_vpc],
        "aws:CurrentTime": [moment.strftime("%Y-%m-%dT%H:%M:%SZ")],
        "aws:EpochTime": [str(int(moment.timestamp()))],
    }
    if principal is None:
        context["aws:PrincipalType"] = ["Anonymous"]
    else:
        facts = caller(principal)
        if facts is not None:  # an ARN IAM does not sign with leaves these unknown
            context["aws:PrincipalType"] = [facts.type]
            context["aws:PrincipalAccount"] = [facts.account]
            context["aws:PrincipalArn"] = [principal_arn or facts.arn]
    if source_vpc_owner:  # None: the model does not know the VPC's account
        context["vpc-lattice-svcs:SourceVpcOwnerAccount"] = [source_vpc_owner]
    if service_network_arn:
        context["vpc-lattice-svcs:ServiceNetworkArn"] = [service_network_arn]
    for name, value in headers.items():
        context[f"vpc-lattice-svcs:RequestHeader/{name.lower()}"] = [value]
    for name, values in query.items():
        context[f"vpc-lattice-svcs:RequestQueryString/{name}"] = list(values)
    for tag, value in principal_tags.items():
        context[f"aws:PrincipalTag/{tag}"] = [value]
    if principal_org:
        context["aws:PrincipalOrgID"] = [principal_org]
    return context
