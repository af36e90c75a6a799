"""VPC Lattice authorization, as docs/lattice-rules.md section 5 describes it.

Layers: a signed caller's identity-based policies, then the service network, then
the service; each auth layer allows when its auth type is NONE or its policy
explicitly allows, the identity when one of its policies explicitly allows; an
explicit Deny anywhere wins; AWS_IAM without a policy denies.

Statements and conditions evaluate to a tri-state: True, False, or ``None`` when
the policy uses something this model does not cover (an unknown operator, a
``NotPrincipal``, a non-numeric value for a numeric operator). ``None`` is never
guessed into an allow or a deny: it surfaces as an UNKNOWN decision with the reason.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Mapping, Optional, Sequence

INVOKE = "vpc-lattice-svcs:Invoke"
CONNECT = "vpc-lattice-svcs:Connect"

Tri = Optional[bool]
Effect = Literal["ALLOW", "DENY", "UNKNOWN"]

_STRING_OPS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"}
_NUMERIC_OPS = {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"}
_ARN_OPS = {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
_DATE_OPS = {"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"}
_OTHER_OPS = {"Bool", "Null"}
KNOWN_OPERATORS = _STRING_OPS | _NUMERIC_OPS | _ARN_OPS | _DATE_OPS | _OTHER_OPS
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "ArnNotEquals", "ArnNotLike", "DateNotEquals"}
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # an integer or a decimal
_ORDER = {"Equals": "==", "NotEquals": "==", "LessThan": "<", "LessThanEquals": "<=", "GreaterThan": ">", "GreaterThanEquals": ">="}


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


@dataclass(frozen=True)
class PolicyResult:
    effect: Literal["ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY", "UNKNOWN"]
    statement: Optional[str] = None  # "Sid" or "#<index>" of the deciding statement
    unmodeled: tuple[str, ...] = ()


@functools.lru_cache(maxsize=8192)
def _glob_regex(pattern: str) -> "re.Pattern[str]":
    """IAM's ``*`` and ``?``, compiled once per pattern (a policy is read for every request)."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), flags=re.DOTALL)


def _glob_strict(pattern: str, value: str) -> bool:
    return _glob_regex(pattern).fullmatch(value) is not None


def _arn_match(pattern: str, value: str) -> Tri:
    """Each of the six colon-delimited ARN components is matched separately. How IAM
    reads a pattern of fewer components (``arn:aws:iam::*``) is not documented: a
    component it has that already differs decides; otherwise the answer is unknown."""
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) == len(v_parts):
        return all(_glob_strict(p, v) for p, v in zip(p_parts, v_parts))
    if pattern == "*":
        return True
    if len(v_parts) < 6:
        return False  # the value is no ARN
    if not all(_glob_strict(p, v) for p, v in zip(p_parts[:-1], v_parts)):
        return False
    return None


@functools.lru_cache(maxsize=8192)
def _resource_arn_regex(pattern: str) -> "re.Pattern[str]":
    """A Resource element's ARN: ``*`` and ``?`` stay within one colon-delimited
    component, except a ``*`` that ends a component, which may run past its colons
    (IAM: ``arn:aws:vpc-lattice:*`` is every Lattice resource); in the resource
    component (the sixth), which may itself hold colons, they match anything."""
    components = pattern.split(":", 5)
    compiled: list[str] = []
    for index, component in enumerate(components):
        last = index == 5
        text = ""
        for position, char in enumerate(component):
            if char == "*":
                text += ".*" if last or position == len(component) - 1 else "[^:]*"
            elif char == "?":
                text += "." if last else "[^:]"
            else:
                text += re.escape(char)
        compiled.append(text)
    return re.compile(":".join(compiled), flags=re.DOTALL)


def _resource_matches(pattern: str, resource: str) -> Tri:
    """A Resource element against the request's resource (``<service ARN>/<path>``):
    ``*``; an ARN, with ``*`` and ``?`` (``_resource_arn_regex``); or the guide's short form
    ``<service>/<path>`` (``*/rates``: the path /rates of any service; ``*/*``: any
    path of any service), whose first segment is matched against the service id and
    the rest against the path. Anything else is not modeled (None)."""
    if pattern == "*":
        return True
    if pattern.startswith("arn:"):
        return _resource_arn_regex(pattern).fullmatch(resource) is not None
    service_pattern, slash, path_pattern = pattern.partition("/")
    located = re.match(r"arn:[^:]*:vpc-lattice:[^:]*:[^:]*:service/([^/]+)(/.*)?$", resource)
    if not slash or located is None:
        return None
    service_id, path = located.group(1), located.group(2) or "/"
    return _glob_strict(service_pattern, service_id) and _glob_strict("/" + path_pattern, path)


def _moment(text: str) -> Optional[datetime]:
    """A date as IAM reads it: ISO 8601 (a date, or a date and time; UTC unless it
    says otherwise) or seconds since the epoch."""
    try:
        return datetime.fromtimestamp(float(text), tz=timezone.utc)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _ordered(base: str, prefix: str, policy: Any, request: Any) -> bool:
    relation = _ORDER[base.removeprefix(prefix)]
    return bool({"==": request == policy, "<": request < policy, "<=": request <= policy, ">": request > policy, ">=": request >= policy}[relation])


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
        if not (_NUMBER.fullmatch(policy_value) and _NUMBER.fullmatch(request_value)):
            return None  # not a number as IAM writes one ("1_000", "nan" and " 80" are not)
        return _ordered(base, "Numeric", float(policy_value), float(request_value))
    if base in _DATE_OPS:
        moment, asked_at = _moment(policy_value), _moment(request_value)
        if moment is None or asked_at is None:
            return None
        return _ordered(base, "Date", moment, asked_at)
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
    """An element's value as a list of strings: one value or a list of them, each a
    string, a number or a boolean (JSON ``true`` reads as IAM's ``"true"``)."""
    if value is None:
        return []
    values = value if isinstance(value, (list, tuple)) else [value]
    return [_as_text(v) for v in values]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _principal_matches(statement: Mapping[str, Any], request: Request) -> Tri:
    if "NotPrincipal" in statement:
        return None
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return None
    if "*" in _listify(principal.get("AWS")):
        return True  # {"AWS": "*"} or {"AWS": ["*"]}: everyone, as "*" (anonymous callers too)
    if request.principal is None:
        return False  # a named principal never matches an anonymous caller
    facts = caller(request.principal)
    for arn in _listify(principal.get("AWS")):
        if arn == "*" or arn == request.principal:
            return True
        if facts is None:
            continue
        if arn == facts.account or (arn.endswith(":root") and arn.split(":")[4:5] == [facts.account]):
            return True  # the account: any of its principals that its own policies allow
        if arn == facts.arn:
            return True
        if facts.type == "AssumedRole" and ":role/" in arn and arn.split(":")[4] == facts.account and arn.rsplit("/", 1)[-1] == facts.arn.rsplit("/", 1)[-1]:
            return True  # a role written with its path; a session's ARN carries only the role's name
    return False


def _action_matches(patterns: list[str], action: str) -> bool:
    return any(_glob_strict(p.lower(), action.lower()) for p in patterns)


_ALWAYS_SET = {
    f"vpc-lattice-svcs:{k}".lower()
    for k in ("Port", "RequestMethod", "RequestPath", "ServiceArn", "SourceVpc", "SourceVpcOwnerAccount")
} | {"aws:currenttime", "aws:epochtime"}
# Keys set in every signed request, from the caller's own ARN.
_SIGNED_SET = {"aws:principalaccount", "aws:principalarn", "aws:principaltype"}


def _absence_is_known(key: str, request: Request) -> bool:
    """Whether a key missing from the request context is really missing. Lattice sets
    its own keys (an absent header or query key is absent); every request has a
    principal type and a time; a signed request has the caller's account and ARN; the
    caller's tags are what the request says; an anonymous caller has no aws:Principal*
    key; the organization is known when the organizations are declared. Anything else
    (aws:ResourceTag/..., aws:SourceIp, an undeclared organization) is unknown."""
    lowered = key.lower()
    if request.principal is None and lowered.startswith("aws:principal") and lowered != "aws:principaltype":
        return True  # an unsigned request carries no principal keys
    if lowered in _ALWAYS_SET or lowered in _SIGNED_SET:  # set whenever known: missing means the model lacks it
        return False
    if lowered.startswith(("vpc-lattice-svcs:", "aws:principaltag/")):
        return True
    return lowered == "aws:principalorgid" and request.organizations_declared


# Policy variables (``${aws:PrincipalTag/team}``, ``${key, 'default'}``) are read in
# the Resource element and in condition values of a policy whose Version is this one;
# in an older policy they are plain text.
VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULTED = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
# A statement of several policies read as one carries the Version of its own policy.
_VERSION_OF_STATEMENT = "lattice_check:Version"


class _NoValue:
    """A policy variable whose key the request lacks: the value equals, and is like, nothing."""


_NO_VALUE = _NoValue()


def _expand(text: str, request: Request) -> "str | _NoValue | None":
    """``text`` with its policy variables replaced by the request's values; _NO_VALUE
    when a key is absent and names no default; None when the model does not know a
    key's value, the key has several values, or the value is a literal ``*``/``?``
    (``${*}``, ``${?}``), which a pattern would read as a wildcard."""
    outcome: "str | _NoValue | None" = ""
    position = 0
    for found in _VARIABLE.finditer(text):
        inner = found.group(1)
        if inner in ("*", "?"):
            return None
        if inner == "$":
            value: "str | _NoValue | None" = "$"
        else:
            defaulted = _DEFAULTED.match(inner)
            key, default = (defaulted.group(1), defaulted.group(2)) if defaulted else (inner.strip(), None)
            present = _context_value(request.context, key)
            if present is not None:
                value = present[0] if len(present) == 1 else None
            elif _absence_is_known(key, request):
                value = default if default is not None else _NO_VALUE
            else:
                value = None
        if value is None:
            return None
        if isinstance(value, _NoValue) or isinstance(outcome, _NoValue):
            outcome = _NO_VALUE
        else:
            assert isinstance(outcome, str)
            outcome += text[position : found.start()] + value
        position = found.end()
    return outcome + text[position:] if isinstance(outcome, str) else outcome


def _with_variables(values: list[str], request: Request, variables: bool) -> Optional[list[str]]:
    """``values`` with their policy variables replaced (a value whose key is absent
    drops out: it matches nothing); None when one cannot be known."""
    if not variables:
        return values
    expanded: list[str] = []
    for value in values:
        replaced = _expand(value, request) if "${" in value else value
        if replaced is None:
            return None
        if isinstance(replaced, str):
            expanded.append(replaced)
    return expanded


def statement_applies(
    statement: Mapping[str, Any], request: Request, *, identity: bool = False, version: Optional[str] = None
) -> tuple[Tri, tuple[str, ...]]:
    """Whether the statement's principal, action, resource and conditions all match.
    An identity-based policy names no principal: it is the caller's own. ``version``:
    the policy's Version (its policy variables are read only in 2012-10-17)."""
    unmodeled: list[str] = []
    variables = statement.get(_VERSION_OF_STATEMENT, version) == VARIABLES_VERSION
    principal = True if identity else _principal_matches(statement, request)
    if principal is None:
        unmodeled.append("NotPrincipal or an unrecognised Principal form")
    if "NotAction" in statement:
        action: Tri = not _action_matches(_listify(statement["NotAction"]), request.action)
    else:
        action = _action_matches(_listify(statement.get("Action")), request.action)
    element = "NotResource" if "NotResource" in statement else "Resource"
    patterns = _with_variables(_listify(statement.get(element)), request, variables)
    resource: Tri
    if patterns is None:
        resource = None
        unmodeled.append(f"a policy variable in the {element} element whose value the model does not know")
    else:
        named = _any([_resource_matches(p, request.resource) for p in patterns])
        resource = named if element == "Resource" or named is None else not named
        if named is None:
            unmodeled.append("a Resource form that is neither *, an ARN nor <service>/<path>")
    results: list[Tri] = [principal, action, resource]
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, values in keys.items():
            present = _context_value(request.context, key)
            if present is None and not _absence_is_known(key, request):
                unmodeled.append(f"condition {operator} {key}: the model does not know this key's value")
                results.append(None)
                continue
            policy_values = _with_variables(_listify(values), request, variables)
            if policy_values is None:
                unmodeled.append(f"condition {operator} {key}: a policy variable whose value the model does not know")
                results.append(None)
                continue
            result = evaluate_condition(operator, policy_values, present)
            if result is None:
                unmodeled.append(f"condition {operator} {key}")
            results.append(result)
    return _all(results), tuple(unmodeled)


def _context_value(context: Mapping[str, Sequence[str]], key: str) -> Optional[Sequence[str]]:
    """A condition key's values; key names are case-insensitive (aws:sourceVpce is aws:SourceVpce)."""
    if key in context:
        return context[key]
    lowered = key.lower()
    return next((values for name, values in context.items() if name.lower() == lowered), None)


def evaluate_policy(policy: Mapping[str, Any], request: Request, *, identity: bool = False) -> PolicyResult:
    """Explicit deny wins; otherwise any allow; otherwise implicit deny. ``identity``:
    the policy is an identity-based one (its statements name no principal)."""
    allow: Optional[str] = None
    unknown: list[str] = []
    unmodeled: list[str] = []
    statements = policy.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    for index, statement in enumerate(statements):
        label = statement.get("Sid") or f"#{index}"
        applies, missing = statement_applies(statement, request, identity=identity, version=policy.get("Version"))
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
            statements.append({**statement, "Sid": sid, _VERSION_OF_STATEMENT: document.get("Version")})
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
