"""VPC Lattice authorization, as described in the project's lattice-rules.md (section 5).

Layers: a signed caller's identity policy, then the service network, then the
service; each layer allows when its auth type is NONE or its policy explicitly
allows; an explicit Deny anywhere wins; AWS_IAM without a policy denies.

Statements and conditions evaluate to a tri-state: True, False, or ``None`` when
the policy uses something this model does not cover (an unknown operator, a
``NotPrincipal``, a non-numeric value for a numeric operator). ``None`` is never
guessed into an allow or a deny: it surfaces as an UNKNOWN decision with the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Optional, Sequence

INVOKE = "vpc-lattice-svcs:Invoke"
CONNECT = "vpc-lattice-svcs:Connect"

Tri = Optional[bool]
Effect = Literal["ALLOW", "DENY", "UNKNOWN"]

_STRING_OPS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"}
_NUMERIC_OPS = {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"}
_ARN_OPS = {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
_OTHER_OPS = {"Bool", "Null"}
KNOWN_OPERATORS = _STRING_OPS | _NUMERIC_OPS | _ARN_OPS | _OTHER_OPS
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "ArnNotEquals", "ArnNotLike"}


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

    @property
    def principal_account(self) -> Optional[str]:
        if self.principal is None:
            return None
        parts = self.principal.split(":")
        return parts[4] if len(parts) > 4 else None


@dataclass(frozen=True)
class PolicyResult:
    effect: Literal["ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY", "UNKNOWN"]
    statement: Optional[str] = None  # "Sid" or "#<index>" of the deciding statement
    unmodeled: tuple[str, ...] = ()


def _glob_strict(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _arn_match(pattern: str, value: str) -> bool:
    """Each of the six colon-delimited ARN components is matched separately."""
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != len(v_parts):
        return pattern == "*"
    return all(_glob_strict(p, v) for p, v in zip(p_parts, v_parts))


def _compare(base: str, policy_value: str, request_value: str) -> Tri:
    """One policy value against one request value, for a non-negated base operator."""
    if base in ("StringEquals", "StringNotEquals"):
        return policy_value == request_value
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return policy_value.casefold() == request_value.casefold()
    if base in ("StringLike", "StringNotLike"):
        return _glob_strict(policy_value, request_value)
    if base in _ARN_OPS:
        return _arn_match(policy_value, request_value)
    if base == "Bool":
        return policy_value.lower() == request_value.lower()
    if base in _NUMERIC_OPS:
        try:
            p, r = float(policy_value), float(request_value)
        except ValueError:
            return None
        return {
            "NumericEquals": r == p,
            "NumericNotEquals": r == p,
            "NumericLessThan": r < p,
            "NumericLessThanEquals": r <= p,
            "NumericGreaterThan": r > p,
            "NumericGreaterThanEquals": r >= p,
        }[base]
    return None


def _any(values: Sequence[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _all(values: Sequence[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def evaluate_condition(operator: str, policy_values: Sequence[str], request_values: Optional[Sequence[str]]) -> Tri:
    """One operator on one key. ``request_values`` None means the key is absent."""
    qualifier = ""
    base = operator
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if base.startswith(prefix):
            qualifier, base = prefix[:-1], base[len(prefix) :]
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base[: -len("IfExists")]
    if base not in KNOWN_OPERATORS:
        return None
    policy_values = [str(v) for v in policy_values]
    if base == "Null":
        want_absent = [v.lower() == "true" for v in policy_values]
        absent = not request_values
        return any(w == absent for w in want_absent)
    negated = base in _NEGATED
    if not request_values:
        if if_exists or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated  # a missing key fails positive operators, passes negated ones

    def value_ok(request_value: str) -> Tri:
        # positive: matches one of the policy values (OR); negated: matches none (NOR)
        hit = _any([_compare(base, p, request_value) for p in policy_values])
        return hit if not negated else (None if hit is None else not hit)

    results = [value_ok(v) for v in request_values]
    if qualifier == "ForAllValues":
        return _all(results)
    if qualifier == "ForAnyValue":
        return _any(results)
    # No qualifier on a (possibly) multi-valued key: positive operators match when
    # any value matches; negated operators when no value matches the policy values.
    return _all(results) if negated else _any(results)


def _listify(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _principal_matches(statement: Mapping[str, Any], request: Request) -> Tri:
    if "NotPrincipal" in statement:
        return None
    principal = statement.get("Principal")
    if principal == "*" or principal == {"AWS": "*"}:
        return True
    if not isinstance(principal, Mapping):
        return None
    if request.principal is None:
        return False  # a named principal never matches an anonymous caller
    for arn in _listify(principal.get("AWS")):
        if arn == "*" or arn == request.principal or arn == request.principal_account:
            return True
        if arn.endswith(":root") and arn.split(":")[4] == request.principal_account:
            return True
        if arn.startswith("arn:aws:iam::") and ":role/" in arn and request.principal.startswith("arn:aws:sts::"):
            # an assumed-role session is named by its role ARN
            account, role = arn.split(":")[4], arn.split(":role/")[-1].split("/")[-1]
            if request.principal.startswith(f"arn:aws:sts::{account}:assumed-role/{role}/"):
                return True
    return False


def _action_matches(patterns: list[str], action: str) -> bool:
    return any(_glob_strict(p.lower(), action.lower()) for p in patterns)


_ALWAYS_SET = {
    f"vpc-lattice-svcs:{k}".lower()
    for k in ("Port", "RequestMethod", "RequestPath", "ServiceArn", "SourceVpc", "SourceVpcOwnerAccount")
}


def _absence_is_known(key: str, request: Request) -> bool:
    """Whether a key missing from the request context is really missing. Lattice sets
    its own keys (an absent header or query key is absent) and aws:PrincipalType; the
    caller's tags are what the request says; an anonymous caller has no aws:Principal*
    key. Anything else (aws:PrincipalAccount, which lattice-rules.md marks unconfirmed;
    aws:ResourceTag/...; aws:SourceIp) is unknown, not absent."""
    lowered = key.lower()
    if lowered in _ALWAYS_SET:  # Lattice always sets it: missing here means the model lacks it
        return False
    if lowered.startswith(("vpc-lattice-svcs:", "aws:principaltag/")) or lowered == "aws:principaltype":
        return True
    return request.principal is None and lowered.startswith("aws:principal")


def statement_applies(statement: Mapping[str, Any], request: Request) -> tuple[Tri, tuple[str, ...]]:
    """Whether the statement's principal, action, resource and conditions all match."""
    unmodeled: list[str] = []
    principal = _principal_matches(statement, request)
    if principal is None:
        unmodeled.append("NotPrincipal or an unrecognised Principal form")
    if "NotAction" in statement:
        action: Tri = not _action_matches(_listify(statement["NotAction"]), request.action)
    else:
        action = _action_matches(_listify(statement.get("Action")), request.action)
    if "NotResource" in statement:
        resource: Tri = not any(_arn_match(p, request.resource) or p == "*" for p in _listify(statement["NotResource"]))
    else:
        resource = any(p == "*" or _arn_match(p, request.resource) for p in _listify(statement.get("Resource")))
    results: list[Tri] = [principal, action, resource]
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, values in keys.items():
            present = request.context.get(key)
            if present is None and not _absence_is_known(key, request):
                unmodeled.append(f"condition {operator} {key}: the model does not know this key's value")
                results.append(None)
                continue
            result = evaluate_condition(operator, _listify(values), present)
            if result is None:
                unmodeled.append(f"condition {operator} {key}")
            results.append(result)
    return _all(results), tuple(unmodeled)


def evaluate_policy(policy: Mapping[str, Any], request: Request) -> PolicyResult:
    """Explicit deny wins; otherwise any allow; otherwise implicit deny."""
    allow: Optional[str] = None
    unknown: list[str] = []
    unmodeled: list[str] = []
    statements = policy.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    for index, statement in enumerate(statements):
        label = statement.get("Sid") or f"#{index}"
        applies, missing = statement_applies(statement, request)
        unmodeled.extend(f"{label}: {m}" for m in missing)
        if applies is None:
            unknown.append(label)
        elif applies and statement.get("Effect") == "Deny":
            return PolicyResult("EXPLICIT_DENY", label, tuple(unmodeled))
        elif applies and statement.get("Effect") == "Allow" and allow is None:
            allow = label
    if unknown and any((s.get("Sid") or f"#{i}") in unknown and s.get("Effect") == "Deny" for i, s in enumerate(statements)):
        return PolicyResult("UNKNOWN", None, tuple(unmodeled))  # an unmodeled Deny could win
    if allow is not None:
        return PolicyResult("ALLOW", allow, tuple(unmodeled))
    if unknown:
        return PolicyResult("UNKNOWN", None, tuple(unmodeled))
    return PolicyResult("IMPLICIT_DENY", None, tuple(unmodeled))


@dataclass(frozen=True)
class Layer:
    """A service network or service as the authorizer sees it."""

    kind: Literal["network", "service"]
    auth_type: Literal["NONE", "AWS_IAM"]
    policy: Optional[Mapping[str, Any]] = None


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
        if self.denied_by == "identity":
            tail = f"because no identity-based policy allows the {request.action} action"
        elif self.explicit:
            tail = f"with an explicit deny in a {self.denied_by}-based policy"
        else:
            tail = f"because no {self.denied_by}-based policy allows the {request.action} action"
        return f"AccessDeniedException: User: {user} is not authorized to perform: {request.action} on resource: {request.resource} {tail}"


def _layer(layer: Layer, request: Request) -> tuple[PolicyResult, str]:
    if layer.auth_type == "NONE":
        return PolicyResult("ALLOW"), f"{layer.kind}: auth type NONE"
    if layer.policy is None:
        return PolicyResult("IMPLICIT_DENY"), f"{layer.kind}: AWS_IAM with no auth policy denies everything"
    result = evaluate_policy(layer.policy, request)
    what = {
        "ALLOW": f"allowed by statement {result.statement}",
        "EXPLICIT_DENY": f"explicitly denied by statement {result.statement}",
        "IMPLICIT_DENY": "no statement allows",
        "UNKNOWN": "depends on what the model does not cover",
    }[result.effect]
    return result, f"{layer.kind} auth policy: {what}"


def authorize(
    request: Request,
    *,
    network: Optional[Layer],
    service: Layer,
    identity_allows: Optional[bool] = None,
) -> Decision:
    """The decision of VPC Lattice for ``request``. ``network`` is None when the
    client reaches the service without a service network in between (not a case
    the patterns use). ``identity_allows`` is the signed caller's identity-policy
    verdict; None means not known (reported, never guessed)."""
    reasons: list[str] = []
    unmodeled: list[str] = []
    if request.principal is not None:
        if identity_allows is False:
            return Decision("DENY", ("identity policy does not allow the action",), "identity")
        if identity_allows is None:
            unmodeled.append("the caller's identity-based policy is not modeled (assumed to allow)")
    layers = [l for l in (network, service) if l is not None]
    results = []
    for layer in layers:
        result, reason = _layer(layer, request)
        reasons.append(reason)
        unmodeled.extend(result.unmodeled)
        results.append((layer, result))
    for layer, result in results:  # an explicit deny anywhere wins
        if result.effect == "EXPLICIT_DENY":
            return Decision("DENY", tuple(reasons), layer.kind, True, tuple(unmodeled))
    for layer, result in results:
        if result.effect == "IMPLICIT_DENY":
            return Decision("DENY", tuple(reasons), layer.kind, False, tuple(unmodeled))
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
    principal_tags: Mapping[str, str] = {},
    principal_org: Optional[str] = None,
) -> dict[str, list[str]]:
    """The condition keys VPC Lattice sets for an HTTP request."""
    context: dict[str, list[str]] = {
        "vpc-lattice-svcs:RequestMethod": [method],
        "vpc-lattice-svcs:RequestPath": [path],
        "vpc-lattice-svcs:Port": [str(port)],
        "vpc-lattice-svcs:ServiceArn": [service_arn],
        "vpc-lattice-svcs:SourceVpc": [source_vpc],
        "aws:PrincipalType": ["Anonymous" if principal is None else "AssumedRole"],
    }
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
